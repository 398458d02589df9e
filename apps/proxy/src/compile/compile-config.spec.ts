// Incremental compile: what was compiled from the same row objects with the same dependencies is carried over;
// anything whose row or dependency changed is rebuilt, and the result routes as a fresh compile does.
import type { RouteRow, ServiceRow, Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { applyDelta } from '@tollgate/declarative/delta';
import { compileConfig } from './compile-config';

const service = (id: string, host: string): ServiceRow => ({
  id, name: id, protocol: 'http', host, port: 80, path: null, retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000,
  enabled: true, tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null, tags: null, created_at: 1, updated_at: 1,
});
const route = (id: string, path: string, serviceId: string): RouteRow => ({
  id, name: id, protocols: ['http', 'https'], methods: null, hosts: null, paths: [path], headers: null, snis: null, sources: null, destinations: null,
  regex_priority: 0, strip_path: true, preserve_host: false, path_handling: 'v0', https_redirect_status_code: 426, request_buffering: true,
  response_buffering: true, created_at: 1, updated_at: 1, tags: null, service: { id: serviceId },
});
const versioned = (config: Snapshot, version: number): VersionedSnapshot => ({ hash: `h${version}`, version, config });
const match = (cfg: ReturnType<typeof compileConfig>['config'], path: string) =>
  cfg.router.match({ protocol: 'http', method: 'GET', host: 'x', path, headers: {}, port: 8000 })?.route.id ?? null;

describe('compileConfig with the previous config', () => {
  const s1 = service('s1', 'one.internal');
  const s2 = service('s2', 'two.internal');
  const r1 = route('r1', '/one', 's1');
  const r2 = route('r2', '/two', 's2');
  const first = compileConfig(versioned({ _format_version: '3.0', services: [s1, s2], routes: [r1, r2] }, 1)).config;

  it('carries over unchanged services, routes and the SNI table, and routes the new route', () => {
    const r3 = route('r3', '/three', 's1');
    const next = compileConfig(versioned({ _format_version: '3.0', services: [s1, s2], routes: [r1, r2, r3] }, 2), { previous: first }).config;
    expect(next.services.get('s1')).toBe(first.services.get('s1'));
    expect(next.routes.get('r1')).toBe(first.routes.get('r1'));
    expect(next.sni).toBe(first.sni);
    expect([match(next, '/one'), match(next, '/two'), match(next, '/three'), match(next, '/none')]).toEqual(['r1', 'r2', 'r3', null]);
  });

  it('rebuilds a changed service and the routes that use it', () => {
    const moved = service('s2', 'moved.internal');
    const next = compileConfig(versioned({ _format_version: '3.0', services: [s1, moved], routes: [r1, r2] }, 3), { previous: first }).config;
    expect(next.services.get('s2')?.host).toBe('moved.internal');
    expect(next.routes.get('r2')?.service).toBe(next.services.get('s2'));
    expect(next.routes.get('r1')).toBe(first.routes.get('r1'));
  });

  it('drops a removed route and a disabled service\'s routes', () => {
    const off = { ...s2, enabled: false };
    const next = compileConfig(versioned({ _format_version: '3.0', services: [s1, off], routes: [r1, r2] }, 4), { previous: first }).config;
    expect([...next.routes.keys()]).toEqual(['r1']);
    expect([match(next, '/one'), match(next, '/two')]).toEqual(['r1', null]);
  });
});

describe('compileConfig chained over random deltas', () => {
  // Each version is the previous one with a delta applied (as data planes build them), compiled from the previous
  // compiled config; it must route, hold routes and stream routes exactly as a compile from scratch of a copy.
  it.each([1, 2, 3])('equals a fresh compile at every step (seed %i)', (seed) => {
    let s = seed;
    const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0) / 4294967296);
    const id = (kind: string, n: number) => `${kind === 's' ? 'a' : 'b'}0000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    // service 0 is a tcp service: the stream routes use it
    const svc = (n: number, v: number) => ({ ...service(id('s', n), `h${v}.internal`), enabled: next() > 0.15, protocol: n === 0 ? 'tcp' : 'http' });
    const rt = (n: number): RouteRow => {
      const r = route(id('r', n), `/p${n % 37}${next() < 0.5 ? '/x' : ''}`, id('s', Math.floor(next() * 6)));
      return next() < 0.15 ? { ...r, protocols: ['tcp'], paths: null, destinations: [{ ip: '10.0.0.1', port: 1000 + n }], service: { id: id('s', 0) } } : r;
    };
    let config: Snapshot = { _format_version: '3.0', services: Array.from({ length: 6 }, (_, n) => svc(n, 0)), routes: Array.from({ length: 80 }, (_, n) => rt(n)).sort((a, b) => (a.id < b.id ? -1 : 1)) };
    let compiled = compileConfig(versioned(config, 1)).config;
    const paths = [...Array.from({ length: 37 }, (_, n) => `/p${n}`), ...Array.from({ length: 37 }, (_, n) => `/p${n}/x/y`), '/none'];
    const view = (c: typeof compiled) => ({
      match: paths.map((p) => [match(c, p), (() => { const m = c.router.match({ protocol: 'http', method: 'GET', host: 'x', path: p, headers: {}, port: 8000 }); return m ? c.routes.get(m.route.id)?.service?.host ?? null : null; })()]),
      routes: [...c.routes.keys()].sort(),
      size: c.router.size,
      stream: [...c.stream.routes.keys()].sort(),
      streamMatch: Array.from({ length: 80 }, (_, n) => c.stream.router.match({ protocol: 'tcp', sourceIp: '10.0.0.9', sourcePort: 5, destinationIp: '10.0.0.1', destinationPort: 1000 + n })?.id ?? null),
    });
    for (let step = 2; step < 40; step++) {
      const upserts: Record<string, unknown[]> = { routes: [], services: [] };
      const deletes: Record<string, string[]> = { routes: [] };
      for (let k = Math.floor(next() * 4); k >= 0; k--) {
        const roll = next();
        if (roll < 0.15) upserts.services.push(svc(Math.floor(next() * 6), step));
        else if (roll < 0.4) deletes.routes.push(id('r', Math.floor(next() * 120)));
        else upserts.routes.push(rt(Math.floor(next() * 120)));
      }
      config = applyDelta(config, { upserts: upserts as never, deletes });
      compiled = compileConfig(versioned(config, step), { previous: compiled }).config;
      const fresh = compileConfig(versioned(JSON.parse(JSON.stringify(config)) as Snapshot, step)).config;
      expect([step, view(compiled)]).toEqual([step, view(fresh)]);
    }
  });
});
