// GET /status/dns's 200 body for this node, on the Admin API and the status listener alike: the statistics of the
// data-plane worker whose resolver did the lookups. A node with no worker (a control plane, a traditional node
// without proxy listeners) resolves no upstream name, so its answer holds no statistics; nor does one whose worker
// did not answer in time.
import { noResolverDnsReport, type DnsStatusReport } from '@tollgate/errors';
import type { WorkerPool } from './workers';

const ANSWER_TIMEOUT_MS = 2000;

export async function nodeDnsReport(pool: WorkerPool | null, workerProcesses: number): Promise<DnsStatusReport> {
  const answer = pool ? await pool.askDnsStats(ANSWER_TIMEOUT_MS) : null;
  return answer ?? noResolverDnsReport(workerProcesses);
}
