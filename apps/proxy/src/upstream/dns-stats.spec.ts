import { type DnsResolverLike, createDnsCache } from './dns-cache';
import { DnsStats } from './dns-stats';

type Records = Array<{ address: string; ttl: number }>;
const fail = (code: string) => Object.assign(new Error(code), { code });

/** A: the table (an Error is thrown, a missing name is NXDOMAIN); AAAA: always NOERROR without records. */
function resolver(table: Record<string, Records | Error>, srv?: Record<string, Array<{ name: string; port: number; priority: number; weight: number }>>): DnsResolverLike {
  return {
    async resolve4(name) {
      const r = table[name];
      if (r instanceof Error) throw r;
      if (!r) throw fail('ENOTFOUND');
      return r;
    },
    async resolve6() {
      throw fail('ENODATA');
    },
    ...(srv ? { resolveSrv: async (name: string) => srv[name] ?? Promise.reject(fail('ENODATA')) } : {}),
  };
}

const timed = { query_last_time: expect.any(Number) };

describe('DNS statistics (new_dns_client = on), as Kong 3.10 names them', () => {
  it('are kept only when asked for', async () => {
    const dns = createDnsCache({ resolver: resolver({ 'a.test': [{ address: '10.0.0.1', ttl: 60 }] }), family: { a: true, aaaa: true, srv: false } });
    await dns.resolve('a.test');
    expect(dns.stats()).toBeNull();
  });

  it('count a looked-up name, then cached runs, then a run that joined a lookup in flight', async () => {
    let t = 0;
    const dns = createDnsCache({ resolver: resolver({ 'a.test': [{ address: '10.0.0.1', ttl: 60 }] }), family: { a: true, aaaa: true, srv: false }, now: () => t, stats: new DnsStats() });
    await dns.resolve('A.test');
    await dns.resolve('a.test');
    t = 60_000;
    await Promise.all([dns.resolve('a.test'), dns.resolve('a.test')]);
    expect(dns.stats()).toEqual({
      'a.test|A/AAAA': { runs: 4, miss: 2, hit_lru: 1, hit_shm: 1 },
      'a.test|A': { query: 2, query_succ: 2, ...timed },
    });
  });

  it.each([
    ['an unknown name', fail('ENOTFOUND'), { 'query_fail:name error': 1 }, 'miss'],
    ['a refusing name server', fail('EREFUSED'), { 'query_fail:refused': 1 }, 'miss'],
    ['a failing name server', fail('ESERVFAIL'), { 'query_fail:server failure': 1 }, 'miss'],
    ['no name server answering', fail('ETIMEOUT'), { query_fail_nameserver: 1 }, 'fail'],
    ['a malformed answer', fail('EBADRESP'), { query_fail_nameserver: 1 }, 'fail'],
  ])('count the queries and the run of %s', async (_what, error, aCounters, run) => {
    const dns = createDnsCache({ resolver: resolver({ 'x.test': error }), family: { a: true, aaaa: true, srv: false }, stats: new DnsStats() });
    await expect(dns.resolve('x.test')).rejects.toThrow();
    expect(dns.stats()).toEqual({
      'x.test|A/AAAA': { runs: 1, [run]: 1 },
      'x.test|A': { query: 1, ...aCounters, ...timed },
      'x.test|AAAA': { query: 1, 'query_fail:empty record received': 1, ...timed },
    });
  });

  it('count an expired answer served because its refresh failed as stale', async () => {
    let t = 0;
    const table: Record<string, Records | Error> = { 's.test': [{ address: '10.0.0.1', ttl: 1 }] };
    const dns = createDnsCache({ resolver: resolver(table), family: { a: true, aaaa: true, srv: false }, now: () => t, stats: new DnsStats() });
    await dns.resolve('s.test');
    table['s.test'] = fail('ESERVFAIL');
    t = 5000;
    expect((await dns.resolve('s.test')).stale).toBe(true);
    expect(dns.stats()!['s.test|A/AAAA']).toEqual({ runs: 2, miss: 2, stale: 1 });
  });

  it('key an SRV-shaped name as an SRV run and count its target as a run of its own', async () => {
    const dns = createDnsCache({
      resolver: resolver({ 'node.test': [{ address: '10.0.0.7', ttl: 60 }] }, { '_http._tcp.svc.test': [{ name: 'node.test', port: 8080, priority: 1, weight: 10 }] }),
      stats: new DnsStats(),
    });
    expect((await dns.resolve('_http._tcp.svc.test')).type).toBe('SRV');
    // as in Kong, the run and the SRV query share their key
    expect(dns.stats()).toEqual({
      '_http._tcp.svc.test|SRV': { runs: 1, miss: 1, query: 1, query_succ: 1, ...timed },
      '_http._tcp.svc.test|A': { query: 1, 'query_fail:name error': 1, ...timed },
      'node.test|A/AAAA': { runs: 1, miss: 1 },
      'node.test|A': { query: 1, query_succ: 1, ...timed },
      'node.test|SRV': { query: 1, 'query_fail:empty record received': 1, ...timed }, // dns_order asks SRV of every name
    });
  });

  it('count IP literals and hosts-file names without a query: the first run misses, later ones hit', async () => {
    const dns = createDnsCache({ resolver: resolver({}), hosts: new Map([['h.test', ['10.0.0.5']]]), family: { a: true, aaaa: true, srv: false }, stats: new DnsStats() });
    for (const name of ['127.0.0.1', '127.0.0.1', 'h.test', 'h.test']) await dns.resolve(name);
    expect(dns.stats()).toEqual({
      '127.0.0.1|A/AAAA': { runs: 2, miss: 1, hit_lru: 1 },
      'h.test|A/AAAA': { runs: 2, miss: 1, hit_lru: 1 },
    });
  });

  it('report a copy that later lookups do not change', async () => {
    const dns = createDnsCache({ resolver: resolver({ 'a.test': [{ address: '10.0.0.1', ttl: 60 }] }), family: { a: true, aaaa: true, srv: false }, stats: new DnsStats() });
    await dns.resolve('a.test');
    const before = dns.stats();
    await dns.resolve('a.test');
    expect(before!['a.test|A/AAAA']).toEqual({ runs: 1, miss: 1 });
  });
});
