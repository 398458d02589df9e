// GET /status/dns, on the Admin API and the status listener alike (Kong 3.10's kong/api/routes/dns.lua). Kong keeps
// DNS statistics only with `new_dns_client = on`; with its default legacy client it answers the 501 below. With the
// new client it answers 200: the statistics of the one worker that served the request, and which worker that was.
export const DNS_STATUS_STATUS = 501;
export const DNS_STATUS_BODY = Object.freeze({ message: 'not implemented with the legacy DNS client' });

/** "<name>|<type>" -> counter -> value (see apps/proxy/src/upstream/dns-stats.ts for the counters). */
export type DnsStatsReport = Readonly<Record<string, Readonly<Record<string, number>>>>;

/** The 200 body: `id` in 0..count-1 (Kong's ngx.worker.id()), `count` the node's worker_processes. */
export interface DnsStatusReport {
  readonly worker: { readonly id: number; readonly count: number };
  readonly stats: DnsStatsReport;
}

/** A node with no data-plane worker (a control plane alone) resolves no upstream name: no statistics. */
export function noResolverDnsReport(workerProcesses: number): DnsStatusReport {
  return { worker: { id: 0, count: workerProcesses }, stats: {} };
}

export type DnsStatusAnswer =
  | { readonly status: 200; readonly body: DnsStatusReport }
  | { readonly status: typeof DNS_STATUS_STATUS; readonly body: typeof DNS_STATUS_BODY };

/** `report` is asked only with the new client: it reaches the workers, which the legacy answer never needs. */
export async function dnsStatusAnswer(newDnsClient: boolean, report: () => Promise<DnsStatusReport>): Promise<DnsStatusAnswer> {
  if (!newDnsClient) return { status: DNS_STATUS_STATUS, body: DNS_STATUS_BODY };
  return { status: 200, body: await report() };
}
