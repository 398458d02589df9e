// TTL-respecting DNS cache for target and service host names. Order as Kong's default dns_order
// (SRV before A; AAAA only when neither answers), then the system resolver (/etc/hosts) via lookup.
// An expired entry is re-queried; if that fails the stale answer is served for up to staleTtlMs.
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';

export interface DnsAddress {
  readonly ip: string;
  /** Present for SRV answers: the record's port. */
  readonly port?: number;
  /** Present for SRV answers: the record's weight (0 becomes 1, as Kong). */
  readonly weight?: number;
  /** Present for SRV answers: the SRV target name (sent as Host with use_srv_name). */
  readonly name?: string;
}

export interface DnsAnswer {
  readonly addresses: readonly DnsAddress[];
  readonly ttlMs: number;
  /** 'A' | 'AAAA' | 'SRV' | 'hosts' | 'ip' — shown as `dns` in the health report. */
  readonly type: string;
  /** True when this answer is past its TTL and served because a refresh failed. */
  readonly stale?: boolean;
}

/** The subset of dns.promises.Resolver the cache uses; injectable for tests. */
export interface DnsResolverLike {
  resolve4(name: string, options: { ttl: true }): Promise<Array<{ address: string; ttl: number }>>;
  resolve6(name: string, options: { ttl: true }): Promise<Array<{ address: string; ttl: number }>>;
  resolveSrv?(name: string): Promise<Array<{ name: string; port: number; priority: number; weight: number }>>;
  /** getaddrinfo-style fallback (reads /etc/hosts). */
  lookup?(name: string): Promise<Array<{ address: string; family: number }>>;
}

export interface DnsCacheOptions {
  /** TTL for answers that carry none (SRV via Node, /etc/hosts). Default 30 s. */
  readonly ttlFallbackMs?: number;
  /** How long past its TTL an answer may be served when refreshing fails. Default 3600 s (Kong dns_stale_ttl). */
  readonly staleTtlMs?: number;
  readonly resolver?: DnsResolverLike;
  /** Query SRV first (Kong's dns_order LAST,SRV,A,CNAME). Default true. */
  readonly srv?: boolean;
  readonly now?: () => number;
}

export interface DnsCache {
  resolve(name: string): Promise<DnsAnswer>;
  /** The cached answer without querying (fresh or stale), if any. */
  peek(name: string): DnsAnswer | undefined;
}

interface Entry {
  answer: DnsAnswer;
  expiresAt: number;
}

const LOCALHOST: DnsAnswer = Object.freeze({ addresses: [{ ip: '127.0.0.1' }], ttlMs: Infinity, type: 'A' });

function systemResolver(): DnsResolverLike {
  // Short timeout: a missing DNS server must not stall a config compile for the default 5 s × 4 tries.
  const r = new dnsPromises.Resolver({ timeout: 2000, tries: 2 });
  return {
    resolve4: (n, o) => r.resolve4(n, o),
    resolve6: (n, o) => r.resolve6(n, o),
    resolveSrv: (n) => r.resolveSrv(n),
    lookup: (n) => dnsPromises.lookup(n, { all: true }),
  };
}

function minTtlMs(records: ReadonlyArray<{ ttl: number }>): number {
  let min = Infinity;
  for (const r of records) if (r.ttl < min) min = r.ttl;
  return min * 1000;
}

export function createDnsCache(options: DnsCacheOptions = {}): DnsCache {
  const ttlFallbackMs = options.ttlFallbackMs ?? 30_000;
  const staleTtlMs = options.staleTtlMs ?? 3_600_000;
  const resolver = options.resolver ?? systemResolver();
  const useSrv = options.srv ?? true;
  const now = options.now ?? Date.now;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<DnsAnswer>>();

  async function queryA(name: string): Promise<DnsAnswer | null> {
    const a = await resolver.resolve4(name, { ttl: true }).catch(() => []);
    if (a.length > 0) return { addresses: a.map((r) => ({ ip: r.address })), ttlMs: minTtlMs(a), type: 'A' };
    return null;
  }

  async function querySrv(name: string): Promise<DnsAnswer | null> {
    if (!useSrv || !resolver.resolveSrv) return null;
    const records = await resolver.resolveSrv(name).catch(() => []);
    if (records.length === 0) return null;
    const addresses: DnsAddress[] = [];
    let ttlMs = ttlFallbackMs;
    for (const rec of records) {
      const inner = await resolve(rec.name).catch(() => null);
      if (!inner) continue;
      ttlMs = Math.min(ttlMs, inner.ttlMs);
      for (const a of inner.addresses) addresses.push({ ip: a.ip, port: rec.port, weight: rec.weight === 0 ? 1 : rec.weight, name: rec.name });
    }
    return addresses.length > 0 ? { addresses, ttlMs, type: 'SRV' } : null;
  }

  async function query(name: string): Promise<DnsAnswer> {
    const [srv, a] = await Promise.all([querySrv(name), queryA(name)]);
    if (srv) return srv;
    if (a) return a;
    const aaaa = await resolver.resolve6(name, { ttl: true }).catch(() => []);
    if (aaaa.length > 0) return { addresses: aaaa.map((r) => ({ ip: r.address })), ttlMs: minTtlMs(aaaa), type: 'AAAA' };
    if (resolver.lookup) {
      const found = await resolver.lookup(name).catch(() => []);
      if (found.length > 0) return { addresses: found.map((r) => ({ ip: r.address })), ttlMs: ttlFallbackMs, type: 'hosts' };
    }
    throw new Error(`dns server error: 3 name error (${name})`);
  }

  function resolve(rawName: string): Promise<DnsAnswer> {
    const name = rawName.toLowerCase();
    if (isIP(name) !== 0) return Promise.resolve({ addresses: [{ ip: name }], ttlMs: Infinity, type: 'ip' });
    if (name === 'localhost') return Promise.resolve(LOCALHOST);
    const entry = entries.get(name);
    const t = now();
    if (entry && t < entry.expiresAt) return Promise.resolve(entry.answer);
    let pending = inflight.get(name);
    if (!pending) {
      pending = query(name)
        .then((answer) => {
          entries.set(name, { answer, expiresAt: now() + answer.ttlMs });
          return answer;
        })
        .catch((err: unknown) => {
          const old = entries.get(name);
          if (old && now() < old.expiresAt + staleTtlMs) return { ...old.answer, stale: true };
          throw err;
        })
        .finally(() => inflight.delete(name));
      inflight.set(name, pending);
    }
    return pending;
  }

  function peek(rawName: string): DnsAnswer | undefined {
    const name = rawName.toLowerCase();
    const entry = entries.get(name);
    if (!entry) return undefined;
    return now() < entry.expiresAt ? entry.answer : { ...entry.answer, stale: true };
  }

  return { resolve, peek };
}
