import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type DnsResolverLike, createDnsCache } from './dns-cache';
import { dnsCacheOptions } from './dns-settings';
import { DnsStats } from './dns-stats';
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
    const dns = createDnsCache({ resolver, now: () => t, order: ['LAST', 'A', 'CNAME'] });
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
    const dns = createDnsCache({ resolver, order: ['LAST', 'A', 'CNAME'] });
    await Promise.all([dns.resolve('a.test'), dns.resolve('a.test'), dns.resolve('a.test')]);
    expect(calls).toEqual(['A a.test']);
  });

  it('serves the stale answer when a refresh fails, within staleTtlMs only', async () => {
    let t = 0;
    const table: Record<string, Array<{ address: string; ttl: number }> | Error> = { 's.test': [{ address: '10.0.0.1', ttl: 1 }] };
    const dns = createDnsCache({ resolver: fakeResolver(table).resolver, now: () => t, staleTtlMs: 10_000, order: ['LAST', 'A', 'CNAME'] });
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
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('multi.test:8080', 50), targetRow('10.0.0.3:80', 100)], { dns: createDnsCache({ resolver, order: ['LAST', 'A', 'CNAME'] }) });
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
    const rt = createUpstreamRuntime(upstreamRow(), [targetRow('nx.test:80'), targetRow('10.0.0.3:80')], { dns: createDnsCache({ resolver: fakeResolver({}).resolver, order: ['LAST', 'A', 'CNAME'] }) });
    await rt.ready();
    expect(rt.health().map((t) => t.health)).toEqual(['DNS_ERROR', 'HEALTHCHECKS_OFF']);
    expect(rt.health()[0].data.dns).toMatch(/name error/);
    expect(new Set(Array.from({ length: 5 }, () => rt.pick(ctx())!.ip))).toEqual(new Set(['10.0.0.3']));
  });
});

describe("family: Kong's new DNS client (new_dns_client = on, resolver_family)", () => {
  const code = (c: string) => Object.assign(new Error(c), { code: c });
  /** Records every question; `table` answers A/AAAA by "<type> <name>", SRV by name. */
  function recording(table: Record<string, Array<{ address: string; ttl: number }>>, srv: Record<string, Array<{ name: string; port: number; priority: number; weight: number }>> = {}) {
    const asked: string[] = [];
    const answer = async (key: string) => {
      asked.push(key);
      if (!table[key]) throw code('ENODATA');
      return table[key];
    };
    const resolver: DnsResolverLike = {
      resolve4: (n) => answer(`A ${n}`),
      resolve6: (n) => answer(`AAAA ${n}`),
      resolveSrv: async (n) => {
        asked.push(`SRV ${n}`);
        if (!srv[n]) throw code('ENODATA');
        return srv[n];
      },
      lookup: async (n) => {
        asked.push(`getaddrinfo ${n}`);
        return [{ address: '10.9.9.9', family: 4 }];
      },
    };
    return { resolver, asked };
  }

  it.each([
    ['A,SRV (Kong\'s default): a plain name is asked A only', { a: true, aaaa: false, srv: true }, { 'A web.test': [{ address: '10.0.0.1', ttl: 60 }] }, ['A web.test'], '10.0.0.1'],
    ['A,SRV: nothing but A, and no getaddrinfo when A is empty', { a: true, aaaa: false, srv: true }, {}, ['A web.test'], null],
    ['A,AAAA: AAAA after an empty A', { a: true, aaaa: true, srv: false }, { 'AAAA web.test': [{ address: '::1', ttl: 60 }] }, ['A web.test', 'AAAA web.test'], '::1'],
    ['AAAA: A never asked', { a: false, aaaa: true, srv: false }, { 'AAAA web.test': [{ address: '::2', ttl: 60 }] }, ['AAAA web.test'], '::2'],
  ])('%s', async (_what, family, table, asked, ip) => {
    const r = recording(table);
    const dns = createDnsCache({ resolver: r.resolver, family });
    if (ip === null) await expect(dns.resolve('web.test')).rejects.toThrow('name error');
    else expect((await dns.resolve('web.test')).addresses).toEqual([{ ip }]);
    expect(r.asked).toEqual(asked);
  });

  it('asks an _<service>._<proto>.<name> name SRV only, then its targets A', async () => {
    const r = recording({ 'A node.test': [{ address: '10.0.0.7', ttl: 60 }] }, { '_http._tcp.svc.test': [{ name: 'node.test', port: 8080, priority: 1, weight: 0 }] });
    const dns = createDnsCache({ resolver: r.resolver, family: { a: true, aaaa: false, srv: true } });
    expect(await dns.resolve('_http._tcp.svc.test')).toMatchObject({ type: 'SRV', addresses: [{ ip: '10.0.0.7', port: 8080, weight: 1, name: 'node.test' }] });
    expect(r.asked).toEqual(['SRV _http._tcp.svc.test', 'A node.test']);
  });

  it('asks an SRV-shaped name A when SRV is not in the family', async () => {
    const r = recording({ 'A _http._tcp.svc.test': [{ address: '10.0.0.8', ttl: 60 }] });
    const dns = createDnsCache({ resolver: r.resolver, family: { a: true, aaaa: false, srv: false } });
    expect((await dns.resolve('_http._tcp.svc.test')).addresses).toEqual([{ ip: '10.0.0.8' }]);
    expect(r.asked).toEqual(['A _http._tcp.svc.test']);
  });
});

describe('dnsCacheOptions', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-dns-'));
  writeFileSync(join(dir, 'legacy-hosts'), '10.1.1.1 legacy.test\n');
  writeFileSync(join(dir, 'new-hosts'), '10.2.2.2 new.test\n');
  const settings = {
    dns_hostsfile: join(dir, 'legacy-hosts'), dns_order: ['LAST', 'SRV', 'A', 'CNAME'], dns_stale_ttl: 10,
    resolver_hosts_file: join(dir, 'new-hosts'), resolver_family: ['A', 'SRV'], resolver_stale_ttl: 20,
  };

  it('new_dns_client = off: the dns_* keys, no statistics', () => {
    const o = dnsCacheOptions({ ...settings, new_dns_client: false });
    expect([...o.hosts!.keys()]).toEqual(['legacy.test']);
    expect(o).toMatchObject({ order: ['LAST', 'SRV', 'A', 'CNAME'], staleTtlMs: 10_000 });
    expect(o.family).toBeUndefined();
    expect(o.stats).toBeUndefined();
  });

  it('new_dns_client = on: the resolver_* keys, statistics kept', () => {
    const o = dnsCacheOptions({ ...settings, new_dns_client: true });
    expect([...o.hosts!.keys()]).toEqual(['new.test']);
    expect(o).toMatchObject({ family: { a: true, aaaa: false, srv: true }, staleTtlMs: 20_000 });
    expect(o.stats).toBeInstanceOf(DnsStats);
  });
});

describe("dns_order (Kong's legacy DNS client)", () => {
  /** A resolver answering from `table` keyed by `TYPE name`; every question recorded. */
  function typed(table: Record<string, string[]>) {
    const asked: string[] = [];
    const answer = (type: string, name: string) => {
      asked.push(`${type} ${name}`);
      const r = table[`${type} ${name}`];
      return r ? Promise.resolve(r) : Promise.reject(Object.assign(new Error('ENODATA'), { code: 'ENODATA' }));
    };
    const resolver: DnsResolverLike = {
      resolve4: (n) => answer('A', n).then((ips) => ips.map((address) => ({ address, ttl: 1 }))),
      resolve6: (n) => answer('AAAA', n).then((ips) => ips.map((address) => ({ address, ttl: 1 }))),
      resolveSrv: (n) => answer('SRV', n).then((names) => names.map((name) => ({ name, port: 8080, priority: 1, weight: 1 }))),
      resolveCname: (n) => answer('CNAME', n),
    };
    return { resolver, asked };
  }

  it('LAST,SRV,A,CNAME (the default): AAAA is never asked; once A answered, a refresh asks A alone', async () => {
    let t = 0;
    const r = typed({ 'A both.test': ['10.0.0.1'], 'AAAA both.test': ['::1'] });
    const dns = createDnsCache({ resolver: r.resolver, now: () => t });
    expect(await dns.resolve('both.test')).toMatchObject({ type: 'A', addresses: [{ ip: '10.0.0.1' }] });
    expect(r.asked.sort()).toEqual(['A both.test', 'CNAME both.test', 'SRV both.test']);
    r.asked.length = 0;
    t = 1000; // past the 1 s TTL
    await dns.resolve('both.test');
    expect(r.asked).toEqual(['A both.test']);
  });

  it('AAAA,A prefers the IPv6 address of a name that has both', async () => {
    const r = typed({ 'A both.test': ['10.0.0.1'], 'AAAA both.test': ['::1'] });
    const dns = createDnsCache({ resolver: r.resolver, order: ['AAAA', 'A'] });
    expect(await dns.resolve('both.test')).toMatchObject({ type: 'AAAA', addresses: [{ ip: '::1' }] });
  });

  it('A,CNAME follows an alias to its target, resolved in the same order', async () => {
    const r = typed({ 'CNAME alias.test': ['real.test'], 'A real.test': ['10.0.0.9'] });
    const dns = createDnsCache({ resolver: r.resolver, order: ['A', 'CNAME'] });
    expect((await dns.resolve('alias.test')).addresses).toEqual([{ ip: '10.0.0.9' }]);
  });

  it('a type not listed is not asked: an IPv6-only name fails under A,CNAME', async () => {
    const r = typed({ 'AAAA v6only.test': ['::1'] });
    const dns = createDnsCache({ resolver: r.resolver, order: ['A', 'CNAME'] });
    await expect(dns.resolve('v6only.test')).rejects.toThrow('name error');
    expect(r.asked.some((q) => q.startsWith('AAAA'))).toBe(false);
  });
});
