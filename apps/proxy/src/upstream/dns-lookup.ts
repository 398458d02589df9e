// The `lookup` of every upstream socket the data plane opens by name (a service host that is no upstream entity, a
// kong.service.set_target host): the worker's DNS cache, so dns_resolver, dns_hostsfile, dns_order and the TTLs
// apply to those names as to upstream targets, as Kong's one DNS client does. Successive connections rotate over
// the answer's addresses. IP literals never get here (Node skips lookup for them).
import { lookup as systemLookup, type LookupAddress, type LookupOneOptions } from 'node:dns';
import { isIP, type LookupFunction } from 'node:net';
import type { DnsCache } from './dns-cache';

let cache: DnsCache | null = null;
const turns = new Map<string, number>();

/** Set once at start with the worker's cache (main.ts); until then names go to the system resolver. */
export function useDnsLookupCache(dns: DnsCache): void {
  cache = dns;
}

function notFound(hostname: string, cause: unknown): NodeJS.ErrnoException {
  // ENOTFOUND: the forward step answers it as Kong's "name resolution failed" (upstream-http/errors.ts)
  return Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}: ${(cause as Error)?.message ?? cause}`), { code: 'ENOTFOUND', hostname });
}

export const upstreamLookup: LookupFunction = (hostname, options, callback) => {
  const dns = cache;
  if (dns === null) return systemLookup(hostname, options as LookupOneOptions, callback as never);
  const wanted = (options as { family?: number | string }).family;
  const family = wanted === 6 || wanted === 'IPv6' ? 6 : wanted === 4 || wanted === 'IPv4' ? 4 : 0;
  dns.resolve(hostname).then(
    (answer) => {
      const list: LookupAddress[] = [];
      for (const a of answer.addresses) {
        const f = isIP(a.ip);
        if (f !== 0 && (family === 0 || f === family)) list.push({ address: a.ip, family: f });
      }
      if (list.length === 0) return callback(notFound(hostname, 'no address of the wanted family'), '', 0);
      const turn = turns.get(hostname) ?? 0;
      turns.set(hostname, (turn + 1) % list.length);
      const first = list[turn % list.length];
      if ((options as { all?: boolean }).all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, [first, ...list.filter((a) => a !== first)]);
      else callback(null, first.address, first.family);
    },
    (err: unknown) => callback(notFound(hostname, err), '', 0),
  );
};

/** A host the DNS cache must answer: neither an IP literal nor `localhost` (those are answered without a query). */
export function isDnsName(host: string): boolean {
  return isIP(host) === 0 && host.toLowerCase() !== 'localhost';
}

const srvTurns = new Map<string, number>();

/**
 * Where a service host that is no upstream entity leads when SRV records answer for it: as Kong's DNS client does,
 * one record's address (weighted round robin) on the record's port (a port of 0 keeps the service's). Null when
 * its cached answer is no SRV; undefined when the name was never resolved (resolveName, then ask again). A stale
 * answer is used while it is refreshed.
 */
export function srvAddress(host: string, servicePort: number): { ip: string; port: number } | null | undefined {
  const dns = cache;
  if (dns === null) return null;
  const answer = dns.peek(host);
  if (answer === undefined) return undefined;
  if (answer.stale) void dns.resolve(host).catch(() => undefined);
  if (answer.type !== 'SRV' || answer.addresses.length === 0) return null;
  let total = 0;
  for (const a of answer.addresses) total += a.weight ?? 1;
  const turn = srvTurns.get(host) ?? 0;
  srvTurns.set(host, (turn + 1) % total);
  let at = turn % total;
  for (const a of answer.addresses) {
    at -= a.weight ?? 1;
    if (at < 0) return { ip: a.ip, port: a.port || servicePort };
  }
  return null;
}

/** The worker's DNS cache asked for `host` (errors are the connect's to report, through upstreamLookup). */
export function resolveName(host: string): Promise<unknown> {
  return cache === null ? Promise.resolve() : cache.resolve(host).catch(() => undefined);
}
