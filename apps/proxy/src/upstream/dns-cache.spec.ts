import { type DnsResolverLike, createDnsCache } from './dns-cache';
import { createUpstreamRuntime } from './index';
import { ctx, targetRow, upstreamRow } from './spec-helpers';

function fakeResolver(table: Record<string, Array<{ address: string; ttl: number }> | Error>) {
  const calls: string[] = [];
  const resolver: DnsResolverLike = {
    async resolve4(name) {
      calls.push(`A ${name}`);
      const r = table[name];
      if (r instanceof Error) throw r;
      if (!r) throw Object.assign(new Error('ENOTFOUND'), { code: 'ENOTFOUND' });
      return r;
    },
    async resolve6() {
      throw Object.assign(new Error('ENODATA'), { code: 'ENODATA' });
    },
  };
  return { resolver, calls };
}

describe('createDnsCache', () => {
  it('short-circuits IP literals and localhost', async () => {
    const { resolver, calls } = fakeResolver({});
    const dns = createDnsCache({ resolver });
    expect(await dns.resolve('10.1.2.3')).toEqual({ addresses: [{ ip: '10.1.2.3' }], ttlMs: Infinity, type: 'ip' });
    expect(await dns.resolve('::1')).toMatchObject({ addresses: [{ ip: '::1' }] });
    expect(await dns.resolve('LocalHost')).toMatchObject({ addresses: [{ ip: '127.0.0.1' }] });
    expect(calls).toEqual([]);
  });

  it('caches for the record TTL, then queries again', async () => {
    let t = 0;
    const table: Record<string, Array<{ address: string; ttl: number }>> = { 'svc.test': [{ address: '10.0.0.1', ttl: 5 }, { address: '10.0.0.2', ttl: 3 }] };
    const { resolver, calls } = fakeResolver(table);
    const dns = createDnsCache({ resolver, now: () => t, srv: false });
    expect(await dns.resolve('svc.test')).toEqual({ addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }], ttlMs: 3000, type: 'A' });
    t = 2999;
    await dns.resolve('svc.test');
    expect(calls).toEqual(['A svc.test']);
    table['svc.test'] = [{ address: '10.0.0.9', ttl: 60 }];
    t = 3000;
    expect((await dns.resolve('svc.test')).addresses).toEqual([{ ip: '10.0.0.9' }]);
    expect(calls).toEqual(['A svc.test', 'A svc.test']);
  });

  it('deduplicates concurrent queries', async () => {
    const { resolver, calls } = fakeResolver({ 'a.test': [{ address: '10.0.0.1', ttl: 5 }] });
    const dns = createDnsCache({ resolver, srv: false });
    await Promise.all([dns.resolve('a.test'), dns.resolve('a.test'), dns.resolve('a.test')]);
    expect(calls).toEqual(['A a.test']);
  });

  it('serves the stale answer when a refresh fails, within staleTtlMs only', async () => {
    let t = 0;
    const table: Record<string, Array<{ address: string; ttl: number }> | Error> = { 's.test': [{ address: '10.0.0.1', ttl: 1 }] };
    const dns = createDnsCache({ resolver: fakeResolver(table).resolver, now: () => t, staleTtlMs: 10_000, srv: false });
    await dns.resolve('s.test');
    table['s.test'] = new Error('ESERVFAIL');
    t = 5000;
    expect(await dns.resolve('s.test')).toEqual({ addresses: [{ ip: '10.0.0.1' }], ttlMs: 1000, type: 'A', stale: true });
    t = 11_001;
    await expect(dns.resolve('s.test')).rejects.toThrow('name error');
  });

  it('falls back to lookup (/etc/hosts) with ttlFallbackMs, and uses SRV ports and weights first', async () => {
    const resolver: DnsResolverLike = {
      resolve4: async (n) => (n === 'node1.test' ? [{ address: '10.0.0.7', ttl: 30 }] : Promise.reject(new Error('ENOTFOUND'))),
      resolve6: async () => Promise.reject(new Error('ENODATA')),
      resolveSrv: async (n) => (n === '_svc.test' ? [{ name: 'node1.test', port: 9001, priority: 1, weight: 0 }] : Promise.reject(new Error('ENODATA'))),
      lookup: async (n) => (n === 'hosts-only' ? [{ address: '127.0.0.5', family: 4 }] : []),
    };
    const dns = createDnsCache({ resolver, ttlFallbackMs: 1234 });
    expect(await dns.resolve('hosts-only')).toEqual({ addresses: [{ ip: '127.0.0.5' }], ttlMs: 1234, type: 'hosts' });
    expect(await dns.resolve('_svc.test')).toEqual({ addresses: [{ ip: '10.0.0.7', port: 9001, weight: 1, name: 'node1.test' }], ttlMs: 1234, type: 'SRV' });
  });

  it('the real resolver answers localhost-named targets', async () => {
    const dns = createDnsCache();
    expect((await dns.resolve('localhost')).addresses).toEqual([{ ip: '127.0.0.1' }]);
  });
});

describe('hostname targets', () => {
  it('expand to one address per A record, each with the target weight', async () => {
    const { resolver } = fakeResolver({ 'multi.test': [{ address: '10.0.0.1', ttl: 60 }, { address: '10.0.0.2', ttl: 60 }] });
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('multi.test:8080', 50), targetRow('10.0.0.3:80', 100)], { dns: createDnsCache({ resolver, srv: false }) });
    await rt.ready();
    const seen = new Map<string, number>();
    for (let i = 0; i < 200; i++) {
      const p = rt.pick(ctx())!;
      seen.set(`${p.host} ${p.ip}:${p.port}`, (seen.get(`${p.host} ${p.ip}:${p.port}`) ?? 0) + 1);
    }
    expect(Object.fromEntries(seen)).toEqual({ 'multi.test 10.0.0.1:8080': 50, 'multi.test 10.0.0.2:8080': 50, '10.0.0.3 10.0.0.3:80': 100 });
    expect(rt.health()[0].data).toMatchObject({ host: 'multi.test', port: 8080, dns: 'A', nodeWeight: 100, addresses: [{ ip: '10.0.0.1' }, { ip: '10.0.0.2' }] });
    expect(rt.pick(ctx())!.hostHeader).toMatch(/^(multi\.test|10\.0\.0\.3)$/);
  });

  it('a target whose name does not resolve shows DNS_ERROR and gets no traffic', async () => {
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('nx.test:80'), targetRow('10.0.0.3:80')], { dns: createDnsCache({ resolver: fakeResolver({}).resolver, srv: false }) });
    await rt.ready();
    expect(rt.health().map((t) => t.health)).toEqual(['DNS_ERROR', 'HEALTHCHECKS_OFF']);
    expect(rt.health()[0].data.dns).toMatch(/name error/);
    expect(new Set(Array.from({ length: 5 }, () => rt.pick(ctx())!.ip))).toEqual(new Set(['10.0.0.3']));
  });
});
