// TTL-respecting DNS cache for target and service host names. Record types are tried in Kong's dns_order (LAST =
// the type that last answered for the name; CNAME = the alias's target resolved in the same order), then the
// system resolver (/etc/hosts) via lookup; or, with
// `family` (new_dns_client = on), as Kong's new DNS client. An expired entry is re-queried; if that fails the stale
// answer is served for up to staleTtlMs. With `stats` every run and every query is counted as Kong's new DNS
// client counts them.
import { promises as dnsPromises } from 'node:dns';
import { isIP } from 'node:net';
import type { DnsStatsReport } from '@tollgate/errors';
import { type DnsRunOutcome, type DnsStats, isSrvName, nameServerFailed, runKey } from './dns-stats';

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
  resolveCname?(name: string): Promise<string[]>;
  /** getaddrinfo-style fallback (reads /etc/hosts). */
  lookup?(name: string): Promise<Array<{ address: string; family: number }>>;
}

export interface DnsCacheOptions {
  /** TTL for answers that carry none (SRV via Node, /etc/hosts). Default 30 s. */
  readonly ttlFallbackMs?: number;
  /** How long past its TTL an answer may be served when refreshing fails. Default 3600 s (Kong dns_stale_ttl). */
  readonly staleTtlMs?: number;
  readonly resolver?: DnsResolverLike;
  /** Kong's dns_order: the record types tried, in order, first answer wins. Default LAST,SRV,A,CNAME. */
  readonly order?: readonly string[];
  /**
   * Kong's new DNS client (resolver_family) instead of the order above: a name of the form _<service>._<proto>.<name>
   * is asked SRV only, any other name A then AAAA, each type only when listed; no getaddrinfo fallback.
   */
  readonly family?: { readonly a: boolean; readonly aaaa: boolean; readonly srv: boolean };
  readonly now?: () => number;
  /** Hosts-file entries (lower-case name -> addresses): they answer before any DNS query (dns_hostsfile). */
  readonly hosts?: ReadonlyMap<string, readonly string[]>;
  /** Kong's new DNS client statistics (new_dns_client = on); none are kept without. */
  readonly stats?: DnsStats;
}

export interface DnsCache {
  resolve(name: string): Promise<DnsAnswer>;
  /** The cached answer without querying (fresh or stale), if any. */
  peek(name: string): DnsAnswer | undefined;
  /** GET /status/dns's `stats`; null when no statistics are kept (new_dns_client = off). */
  stats(): DnsStatsReport | null;
}

interface Entry {
  answer: DnsAnswer;
  expiresAt: number;
}

const DEFAULT_ORDER: readonly string[] = ['LAST', 'SRV', 'A', 'CNAME'];

const LOCALHOST: DnsAnswer = Object.freeze({ addresses: [{ ip: '127.0.0.1' }], ttlMs: Infinity, type: 'A' });

/** The operating system's resolver, or the name servers of dns_resolver (`ip`, `ip:port`, `[ipv6]:port`). */
export function systemResolver(servers: readonly string[] = []): DnsResolverLike {
  // Short timeout: a missing DNS server must not stall a config compile for the default 5 s × 4 tries.
  const r = new dnsPromises.Resolver({ timeout: 2000, tries: 2 });
  if (servers.length > 0) r.setServers([...servers]);
  return {
    resolve4: (n, o) => r.resolve4(n, o),
    resolve6: (n, o) => r.resolve6(n, o),
    resolveSrv: (n) => r.resolveSrv(n),
    resolveCname: (n) => r.resolveCname(n),
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
  const family = options.family ?? null;
  const order = options.order ?? DEFAULT_ORDER;
  const useSrv = family ? family.srv : order.includes('SRV');
  /** The type that last answered for each name (dns_order's LAST). */
  const lastType = new Map<string, string>();
  const now = options.now ?? Date.now;
  const stats = options.stats ?? null;
  const entries = new Map<string, Entry>();
  const inflight = new Map<string, Promise<DnsAnswer>>();

  /** One run's queries: whether any of them reached no name server (Kong then counts the run as `fail`). */
  interface Run { unanswered: boolean }

  /** One query to the name servers; [] when it fails, counted when statistics are kept. */
  function ask<T>(run: Run, name: string, type: 'A' | 'AAAA' | 'SRV' | 'CNAME', query: () => Promise<T[]>): Promise<T[]> {
    const counted = stats ? stats.query(name, type, query, now) : query();
    return counted.catch((err: unknown) => {
      if (nameServerFailed(err)) run.unanswered = true;
      return [];
    });
  }

  async function queryA(run: Run, name: string): Promise<DnsAnswer | null> {
    const a = await ask(run, name, 'A', () => resolver.resolve4(name, { ttl: true }));
    if (a.length > 0) return { addresses: a.map((r) => ({ ip: r.address })), ttlMs: minTtlMs(a), type: 'A' };
    return null;
  }

  async function querySrv(run: Run, name: string): Promise<DnsAnswer | null> {
    const resolveSrv = resolver.resolveSrv;
    if (!useSrv || !resolveSrv) return null;
    const records = await ask(run, name, 'SRV', () => resolveSrv.call(resolver, name));
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

  async function queryAAAA(run: Run, name: string): Promise<DnsAnswer | null> {
    const aaaa = await ask(run, name, 'AAAA', () => resolver.resolve6(name, { ttl: true }));
    if (aaaa.length > 0) return { addresses: aaaa.map((r) => ({ ip: r.address })), ttlMs: minTtlMs(aaaa), type: 'AAAA' };
    return null;
  }

  async function query(run: Run, name: string): Promise<DnsAnswer> {
    const fromHosts = options.hosts?.get(name);
    if (fromHosts && fromHosts.length > 0) return { addresses: fromHosts.map((ip) => ({ ip })), ttlMs: Infinity, type: 'hosts' };
    const answer = family ? await newClientQuery(run, name, family) : await legacyQuery(run, name);
    if (answer) return answer;
    throw new Error(`dns server error: 3 name error (${name})`);
  }

  /** An alias: its target resolved as any name (through this cache, in the same order). */
  async function queryCname(run: Run, name: string): Promise<DnsAnswer | null> {
    const resolveCname = resolver.resolveCname;
    if (!resolveCname) return null;
    const targets = await ask(run, name, 'CNAME', () => resolveCname.call(resolver, name));
    if (targets.length === 0 || targets[0].toLowerCase() === name) return null;
    return resolve(targets[0]).catch(() => null);
  }

  function queryType(run: Run, name: string, type: string): Promise<DnsAnswer | null> {
    switch (type) {
      case 'SRV': return querySrv(run, name);
      case 'A': return queryA(run, name);
      case 'AAAA': return queryAAAA(run, name);
      case 'CNAME': return queryCname(run, name);
      default: return Promise.resolve(null);
    }
  }

  async function legacyQuery(run: Run, name: string): Promise<DnsAnswer | null> {
    // LAST first, alone: the type that answered last time usually answers again, and then nothing else is asked
    const last = order.includes('LAST') ? lastType.get(name) : undefined;
    if (last !== undefined) {
      const answer = await queryType(run, name, last);
      if (answer) return answer;
    }
    // the rest asked together (one round trip, not one per type), the first in dns_order that answers wins
    const types = order.filter((t) => t !== 'LAST' && t !== last);
    const answers = types.map((t) => queryType(run, name, t));
    for (let i = 0; i < types.length; i++) {
      const answer = await answers[i];
      if (answer) {
        lastType.set(name, types[i]);
        return answer;
      }
    }
    if (!resolver.lookup) return null;
    const found = await resolver.lookup(name).catch(() => []);
    return found.length > 0 ? { addresses: found.map((r) => ({ ip: r.address })), ttlMs: ttlFallbackMs, type: 'hosts' } : null;
  }

  async function newClientQuery(run: Run, name: string, types: NonNullable<DnsCacheOptions['family']>): Promise<DnsAnswer | null> {
    if (types.srv && isSrvName(name)) return querySrv(run, name);
    return (types.a ? await queryA(run, name) : null) ?? (types.aaaa ? await queryAAAA(run, name) : null);
  }

  /** Literals answer without a query; like Kong's, the first run of one is its cache's miss, later runs hits. */
  function literal(name: string, answer: DnsAnswer): Promise<DnsAnswer> {
    if (stats) {
      const key = runKey(name, useSrv);
      stats.incr(key, 'runs');
      stats.incr(key, entries.has(name) ? 'hit_lru' : 'miss');
      entries.set(name, { answer, expiresAt: Infinity });
    }
    return Promise.resolve(answer);
  }

  function resolve(rawName: string): Promise<DnsAnswer> {
    const name = rawName.toLowerCase();
    if (isIP(name) !== 0) return literal(name, { addresses: [{ ip: name }], ttlMs: Infinity, type: 'ip' });
    if (name === 'localhost') return literal(name, LOCALHOST);
    const key = stats ? runKey(name, useSrv) : '';
    stats?.incr(key, 'runs');
    const counted = (outcome: DnsRunOutcome) => stats?.incr(key, outcome);
    const entry = entries.get(name);
    const t = now();
    if (entry && t < entry.expiresAt) {
      counted('hit_lru');
      return Promise.resolve(entry.answer);
    }
    let pending = inflight.get(name);
    if (pending) {
      counted('hit_shm');
      return pending;
    }
    const run: Run = { unanswered: false };
    pending = query(run, name)
      .then((answer) => {
        counted('miss');
        entries.set(name, { answer, expiresAt: now() + answer.ttlMs });
        return answer;
      })
      .catch((err: unknown) => {
        const old = entries.get(name);
        if (old && now() < old.expiresAt + staleTtlMs) {
          counted('miss');
          stats?.incr(key, 'stale');
          return { ...old.answer, stale: true };
        }
        counted(run.unanswered ? 'fail' : 'miss');
        throw err;
      })
      .finally(() => inflight.delete(name));
    inflight.set(name, pending);
    return pending;
  }

  function peek(rawName: string): DnsAnswer | undefined {
    const name = rawName.toLowerCase();
    const entry = entries.get(name);
    if (!entry) return undefined;
    return now() < entry.expiresAt ? entry.answer : { ...entry.answer, stale: true };
  }

  return { resolve, peek, stats: () => stats?.report() ?? null };
}
