// HTTP, WebSocket upgrades and gRPC share one request pipeline: the same https-only handling, the same balancer
// inputs (hash_on = query_arg picks the same target whatever the protocol), the same upstream Host header, and a
// plugin's kong.service.set_target / set_upstream apply to all three. Each target below answers every protocol
// on one address (HTTP/1.1, upgrades and h2c gRPC), and says which target it is and what Host it was sent.
import { SnapshotBuilder } from '@tollgate/plugins/testing';
import type { Row, RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import { send } from './support/client';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { listenEntry } from './support/settings';
import { grpcCall, startTarget, upgrade, type Target } from './support/protocols';

const upstreamRow = (id: string, name: string, extra: Record<string, unknown> = {}): Row => ({
  id, name, algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none', hash_on_header: null,
  hash_on_cookie: null, hash_on_cookie_path: '/', healthchecks: null, host_header: null, client_certificate: null,
  use_srv_name: false, tags: null, created_at: 1, ...extra,
});
const targetRow = (id: string, upstreamId: string, t: Target): Row => ({ id, target: `${t.ip}:${t.port}`, weight: 100, upstream: { id: upstreamId }, tags: null, created_at: 1 });
const grpcRoute = { protocols: ['grpc', 'grpcs'], strip_path: false };

describe('one pipeline for HTTP, WebSocket and gRPC', () => {
  const hashed: Target[] = [];
  let port80: Target;
  let direct: Target;
  let elsewhere: Target;
  let other: Target;
  let t: TestDataPlane;
  let h2Port: number;
  let h1Port: number;

  beforeAll(async () => {
    for (let i = 0; i < 4; i++) hashed.push(await startTarget(`hashed-${i}`));
    // a target on port 80 (the http scheme's default): its Host header carries no port. Any 127/8 address is
    // loopback; a random one keeps concurrent runs apart.
    const ip80 = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;
    port80 = await startTarget('port80', ip80, 80);
    direct = await startTarget('direct');
    elsewhere = await startTarget('elsewhere');
    other = await startTarget('other');

    const b = new SnapshotBuilder();
    const svc = (port: number, extra: Record<string, unknown>): ServiceRow => b.service(port, extra);
    const both = (s: ServiceRow, g: ServiceRow, path: string, grpcPath: string, extra: Record<string, unknown> = {}): [RouteRow, RouteRow] => [
      b.route(s, [path], extra),
      b.route(g, [grpcPath], { ...grpcRoute, ...extra }),
    ];

    const hashUp = upstreamRow('e0000000-0000-4000-8000-00000000000a', 'hashed.up', { algorithm: 'consistent-hashing', hash_on: 'query_arg', hash_on_query_arg: 'user' });
    both(svc(80, { host: 'hashed.up' }), svc(80, { host: 'hashed.up', protocol: 'grpc' }), '/hash', '/hash.Svc/');

    const up80 = upstreamRow('e0000000-0000-4000-8000-00000000000b', 'port80.up');
    both(svc(80, { host: 'port80.up' }), svc(80, { host: 'port80.up', protocol: 'grpc' }), '/p80', '/p80.Svc/');

    const otherUp = upstreamRow('e0000000-0000-4000-8000-00000000000c', 'other.up');
    const setTarget = { name: 'pre-function', config: { access: [`kong.service.set_target("127.0.0.1", ${elsewhere.port})`] } };
    const setUpstream = { name: 'pre-function', config: { access: ['assert(kong.service.set_upstream("other.up"))'] } };
    for (const [path, grpcPath, plugin] of [['/st', '/st.Svc/', setTarget], ['/su', '/su.Svc/', setUpstream]] as const) {
      const [r, g] = both(svc(direct.port, {}), svc(direct.port, { protocol: 'grpc' }), path, grpcPath);
      b.plugin(plugin.name, plugin.config, { route: r });
      b.plugin(plugin.name, plugin.config, { route: g });
    }

    const plain = svc(direct.port, {});
    b.route(plain, ['/secure'], { protocols: ['https'], https_redirect_status_code: 301 });

    const config = b.build();
    t = await startTestDataPlane(
      {
        hash: 'one-pipeline',
        version: 1,
        config: {
          ...config,
          upstreams: [hashUp, up80, otherUp],
          targets: [
            ...hashed.map((h, i) => targetRow(`f0000000-0000-4000-8000-00000000000${i}`, hashUp.id, h)),
            targetRow('f0000000-0000-4000-8000-00000000000a', up80.id, port80),
            targetRow('f0000000-0000-4000-8000-00000000000b', otherUp.id, other),
          ],
        },
      },
      { proxy_listeners: [listenEntry({ http2: true }), listenEntry()], trusted_ips: ['127.0.0.1/32'] },
    );
    h2Port = t.ports[0];
    h1Port = t.ports[1];
  });

  afterAll(async () => {
    await t?.dp.close({ graceful: false });
    for (const target of [...hashed, port80, direct, elsewhere, other]) await target?.close();
  });

  it('hash_on = query_arg: HTTP, WebSocket and gRPC requests with the same argument reach the same target', async () => {
    const picks: Array<{ user: string; http: string; ws: string; grpc: string }> = [];
    for (let i = 0; i < 12; i++) {
      const user = `user-${i}`;
      const http = (await send(h1Port, { path: `/hash?user=${user}` })).headers['x-target'] as string;
      const ws = (await upgrade(h1Port, `/hash?user=${user}`)).headers['x-target'];
      const grpc = (await grpcCall(h2Port, `/hash.Svc/Call?user=${user}`)).headers['x-target'] as string;
      picks.push({ user, http, ws, grpc });
    }
    // the argument decides: several targets are used, and each protocol agrees with HTTP for every user
    expect(new Set(picks.map((p) => p.http)).size).toBeGreaterThan(1);
    expect(picks.filter((p) => p.ws !== p.http || p.grpc !== p.http)).toEqual([]);
  });

  it('the upstream Host header is the same for every protocol: no ":80" for a port-80 target over http', async () => {
    const expected = port80.ip;
    expect((await send(h1Port, { path: '/p80' })).headers['x-host']).toBe(expected);
    expect((await upgrade(h1Port, '/p80')).headers['x-host']).toBe(expected);
    expect((await grpcCall(h2Port, '/p80.Svc/Call')).headers['x-host']).toBe(expected);
  });

  it('kong.service.set_target sends HTTP, WebSocket and gRPC requests to its address, with its Host', async () => {
    const http = await send(h1Port, { path: '/st' });
    expect(http.headers['x-target']).toBe('elsewhere');
    expect(http.headers['x-host']).toBe(`127.0.0.1:${elsewhere.port}`);
    const ws = await upgrade(h1Port, '/st');
    expect(ws.status).toBe(101);
    expect(ws.headers['x-target']).toBe('elsewhere');
    expect(ws.headers['x-host']).toBe(`127.0.0.1:${elsewhere.port}`);
    const grpc = (await grpcCall(h2Port, '/st.Svc/Call')).headers;
    expect(grpc['x-target']).toBe('elsewhere');
    expect(grpc['x-host']).toBe(`127.0.0.1:${elsewhere.port}`);
  });

  it('kong.service.set_upstream balances HTTP, WebSocket and gRPC requests over the named upstream', async () => {
    expect((await send(h1Port, { path: '/su' })).headers['x-target']).toBe('other');
    expect((await upgrade(h1Port, '/su')).headers['x-target']).toBe('other');
    expect((await grpcCall(h2Port, '/su.Svc/Call')).headers['x-target']).toBe('other');
  });

  it('an https-only route redirects a WebSocket handshake with its https_redirect_status_code, as an HTTP request', async () => {
    const http = await send(h1Port, { path: '/secure/x?a=1', headers: { host: 'ws.test' } });
    expect(http.status).toBe(301);
    expect(http.headers.location).toBe('https://ws.test/secure/x?a=1');
    const ws = await upgrade(h1Port, '/secure/x?a=1');
    expect(ws.status).toBe(301);
    expect(ws.headers.location).toBe('https://ws.test/secure/x?a=1');
  });

  it('a trusted X-Forwarded-Proto: https satisfies an https-only route for a WebSocket handshake too', async () => {
    expect((await send(h1Port, { path: '/secure', headers: { 'x-forwarded-proto': 'https' } })).headers['x-target']).toBe('direct');
    const ws = await upgrade(h1Port, '/secure', { 'X-Forwarded-Proto': 'https' });
    expect(ws.status).toBe(101);
    expect(ws.headers['x-target']).toBe('direct');
  });
});
