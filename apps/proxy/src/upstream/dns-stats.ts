// The counters of Kong 3.10's new DNS client (kong/dns/stats.lua, kong/dns/client.lua), kept by the one upstream
// DNS cache when new_dns_client = on and shown by GET /status/dns. Two kinds of key, "<name>|<type>":
//   - a resolution run, type A/AAAA (or SRV for an _<service>._<proto>.<name> name): runs, and how it was answered
//     (hit_lru: cached; hit_shm: another caller's lookup in flight; miss: looked up; fail: no name server
//     answered), plus stale when an expired answer was served;
//   - a query sent to a name server, type A, AAAA or SRV: query, query_last_time (ms), and query_succ,
//     query_fail:<Kong's error string> or query_fail_nameserver (a timeout, a refused socket, a malformed reply).
import type { DnsStatsReport } from '@tollgate/errors';

export type DnsRunOutcome = 'hit_lru' | 'hit_shm' | 'miss' | 'fail';

// Node's codes for a name server's answer -> lua-resty-dns's rcode strings and the client's own empty-answer error
const ANSWERED: Readonly<Record<string, string>> = {
  EFORMERR: 'format error',
  ESERVFAIL: 'server failure',
  ENOTFOUND: 'name error',
  ENOTIMP: 'not implemented',
  EREFUSED: 'refused',
  ENODATA: 'empty record received',
};

const SRV_NAME = /^_[^._]+\._[^._]+\.[^.]+/;

/** `_<service>._<proto>.<name>`: the names Kong's new DNS client asks SRV records of. */
export function isSrvName(name: string): boolean {
  return SRV_NAME.test(name);
}

/** Kong's type of a resolution run: SRV for an SRV-shaped name when SRV is queried, else A/AAAA. */
export function runKey(name: string, srv: boolean): string {
  return `${name}|${srv && isSrvName(name) ? 'SRV' : 'A/AAAA'}`;
}

export class DnsStats {
  private readonly byKey = new Map<string, Record<string, number>>();

  incr(key: string, counter: string): void {
    const counters = this.counters(key);
    counters[counter] = (counters[counter] ?? 0) + 1;
  }

  /**
   * Counts one query to a name server around `query`; true when the name server answered (records or an rcode),
   * false when none did. `query`'s outcome is the caller's, unchanged.
   */
  async query<T>(name: string, type: 'A' | 'AAAA' | 'SRV' | 'CNAME', query: () => Promise<T[]>, now: () => number = Date.now): Promise<T[]> {
    const key = `${name}|${type}`;
    this.incr(key, 'query');
    const started = now();
    try {
      const records = await query();
      this.counters(key).query_last_time = Math.floor(now() - started);
      this.incr(key, records.length > 0 ? 'query_succ' : 'query_fail:empty record received');
      return records;
    } catch (err) {
      this.counters(key).query_last_time = Math.floor(now() - started);
      const answered = ANSWERED[(err as { code?: string }).code ?? ''];
      this.incr(key, answered === undefined ? 'query_fail_nameserver' : `query_fail:${answered}`);
      throw err;
    }
  }

  /** A JSON copy: the counters keep moving after the answer leaves. */
  report(): DnsStatsReport {
    const out: Record<string, Record<string, number>> = {};
    for (const [key, counters] of this.byKey) out[key] = { ...counters };
    return out;
  }

  private counters(key: string): Record<string, number> {
    let counters = this.byKey.get(key);
    if (!counters) this.byKey.set(key, (counters = {}));
    return counters;
  }
}

/** Whether a failed query reached no name server (Kong's `fail` run rather than a `miss` with an error answer). */
export function nameServerFailed(err: unknown): boolean {
  return ANSWERED[(err as { code?: string } | null)?.code ?? ''] === undefined;
}
