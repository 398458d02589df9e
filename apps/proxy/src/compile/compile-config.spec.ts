// Incremental compile: what was compiled from the same row objects with the same dependencies is carried over;
// anything whose row or dependency changed is rebuilt, and the result routes as a fresh compile does.
import type { RouteRow, ServiceRow, Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';
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
