// POST /debug/route-match on a real node, and Kong's Kong-Debug response headers on its proxy.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http, type Reply } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';

describe('POST /debug/route-match', () => {
  let node: RunningNode;
  let upstream: Server;
  let port: number;
  const admin = (method: string, path: string, body?: unknown): Promise<Reply> => http(method, `http://127.0.0.1:${node.port('admin_listen')}${path}`, { body });
  const proxy = (path: string, headers: Record<string, string> = {}) => http('GET', `http://127.0.0.1:${node.port('proxy_listen')}${path}`, { headers });
  const ids: Record<string, string> = {};
  let releaseBefore: number;

  beforeAll(async () => {
    upstream = createServer((req, res) => res.end(`upstream saw ${req.url}`));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    port = (upstream.address() as AddressInfo).port;
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { allow_debug_header: 'on' })), '-p', prefix]);
    const created = async (path: string, body: unknown) => {
      const res = await admin('POST', path, body);
      if (res.status !== 201) throw new Error(`POST ${path}: ${res.status} ${res.text}`);
      return res.json.id as string;
    };
    ids.svc = await created('/services', { name: 'users-svc', url: `http://127.0.0.1:${port}/base` });
    ids.lb = await created('/services', { name: 'lb-svc', host: 'pool', path: '/' });
    ids.pool = await created('/upstreams', { name: 'pool' });
    await created('/upstreams/pool/targets', { target: '10.0.0.1:80', weight: 100 });
    await created('/upstreams/pool/targets', { target: '10.0.0.2:80', weight: 0 });
    releaseBefore = await waitFor(async () => (await admin('GET', '/config/releases?size=1')).json.data[0]?.summary.targets ? (await admin('GET', '/config/releases?size=1')).json.data[0].number : undefined, 'a release with the targets');
    ids.users = await created('/services/users-svc/routes', { name: 'users', hosts: ['api.example.com'], paths: ['/v1'], methods: ['GET'] });
    ids.v2 = await created('/services/users-svc/routes', { name: 'users-v2', hosts: ['api.example.com'], paths: ['/v1'], headers: { 'x-version': ['2'] } });
    ids.posts = await created('/services/users-svc/routes', { name: 'posts-only', hosts: ['api.example.com'], paths: ['/v1'], methods: ['POST'] });
    ids.catch = await created('/services/lb-svc/routes', { name: 'catch-all', paths: ['/'] });
    ids.global = await created('/plugins', { name: 'correlation-id' });
    ids.svcPlugin = await created('/services/users-svc/plugins', { name: 'request-transformer', config: { add: { headers: ['x-a:1'] } } });
    ids.routePlugin = await created('/routes/users/plugins', { name: 'cors' });
  });
  afterAll(async () => {
    if (node) await stopNode(node);
    upstream?.close();
  });

  const explain = (body: Record<string, unknown>) => admin('POST', '/debug/route-match', body);

  it('explains the winner: route, service, targets, upstream path, plugins with their scope, and the losers', async () => {
    const res = await waitFor(async () => {
      const r = await explain({ method: 'GET', url: 'https://api.example.com:8443/v1/users?x=1', headers: { 'x-version': '1' }, sni: 'api.example.com', client_ip: '10.0.0.1' });
      return r.json?.plugins?.length === 3 ? r : undefined;
    }, 'the configuration with every plugin');
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({
      route: { id: ids.users, name: 'users' },
      matched: { path: '/v1', host: 'api.example.com' },
      service: { id: ids.svc, name: 'users-svc', protocol: 'http', host: '127.0.0.1', port, path: '/base' },
      upstream: null,
      targets: [{ target: `127.0.0.1:${port}`, weight: 100 }],
      upstream_path: '/base/users?x=1',
      request: { method: 'GET', protocol: 'https', host: 'api.example.com:8443', port: 8443, path: '/v1/users', sni: 'api.example.com', client_ip: '10.0.0.1' },
    });
    // Kong's priorities: correlation-id 100001, cors 2000, request-transformer 801
    expect(res.json.plugins.map((p: { name: string; scope: string; id: string; priority: number }) => [p.name, p.scope, p.id, p.priority])).toEqual([
      ['correlation-id', 'global', ids.global, 100001],
      ['cors', 'route', ids.routePlugin, 2000],
      ['request-transformer', 'service', ids.svcPlugin, 801],
    ]);
    const reasons = Object.fromEntries(res.json.candidates.map((c: { route: { name: string }; reason: string }) => [c.route.name, c.reason]));
    expect(reasons).toEqual({ 'users-v2': 'header mismatch', 'posts-only': 'method not allowed', 'catch-all': 'lower priority than the winner' });
    expect(res.json.release).toBeGreaterThan(releaseBefore);
  });

  it('follows an upstream to its weighted targets, and answers with no route', async () => {
    const lb = await explain({ url: 'http://other.test/anything' });
    expect(lb.json).toMatchObject({ route: { name: 'catch-all' }, upstream: { id: ids.pool, name: 'pool' }, targets: [{ target: '10.0.0.1:80', weight: 100 }], upstream_path: '/anything' });
    const none = await explain({ url: 'http://other.test/../x' });
    expect(none.json).toMatchObject({ route: null, service: null, upstream_path: null, plugins: [] });
    expect(none.json.candidates.every((c: { reason: string }) => c.reason === 'path mismatch')).toBe(true);
  });

  it('explains against an older release with "release": N', async () => {
    const res = await explain({ url: 'https://api.example.com/v1/users', release: releaseBefore });
    expect(res.status).toBe(200);
    expect(res.json).toMatchObject({ release: releaseBefore, route: null, candidates: [] });
    expect((await explain({ url: 'http://a.test/', release: 99999 })).json).toEqual({ message: 'release 99999 not found' });
  });

  it('an invalid request description is a 400 naming each field', async () => {
    const res = await explain({ method: 'G E T', url: 'not a url', headers: { a: 1 }, client_ip: '999.1.1.1', release: 0, extra: true });
    expect(res.status).toBe(400);
    expect(res.json).toEqual({
      code: 2,
      name: 'schema violation',
      message: expect.stringContaining('schema violations'),
      fields: {
        extra: 'unknown field',
        method: 'expected an HTTP method such as GET',
        url: 'expected an absolute URL such as https://api.example.com/v1/users',
        headers: "header 'a': expected a string or an array of strings",
        client_ip: 'expected an IPv4 or IPv6 address',
        release: 'expected a release number (a positive integer)',
      },
    });
    expect((await explain({ url: 'ftp://a.test/' })).json.fields).toEqual({ url: "unsupported scheme 'ftp': expected http, https, grpc or grpcs" });
  });

  it('Kong-Debug: 1 names the route and service in the proxied response (allow_debug_header = on)', async () => {
    const res = await waitFor(async () => {
      const r = await proxy('/v1/users', { host: 'api.example.com', 'kong-debug': '1' });
      return r.status === 200 ? r : undefined;
    }, 'the route to serve');
    expect(res.text).toBe('upstream saw /base/users');
    expect(res.headers['kong-route-id']).toBe(ids.users);
    expect(res.headers['kong-route-name']).toBe('users');
    expect(res.headers['kong-service-id']).toBe(ids.svc);
    expect(res.headers['kong-service-name']).toBe('users-svc');
    const plain = await proxy('/v1/users', { host: 'api.example.com' });
    expect(plain.headers['kong-route-id']).toBeUndefined();
    // an upstream that cannot be reached: the gateway's 502 names the route and service as well
    const dead = await admin('PUT', '/services/dead-svc', { url: 'http://127.0.0.1:9' });
    expect((await admin('PUT', '/services/dead-svc/routes/dead', { paths: ['/dead'] })).status).toBe(200);
    const failed = await waitFor(async () => {
      const r = await proxy('/dead', { 'kong-debug': '1' });
      return r.status === 502 ? r : undefined;
    }, 'the dead route to answer 502');
    expect([failed.headers['kong-route-name'], failed.headers['kong-service-name'], failed.headers['kong-service-id']]).toEqual(['dead', 'dead-svc', dead.json.id]);
  });

  it('GET /docs-json documents the release and route-match endpoints', async () => {
    const doc = (await admin('GET', '/docs-json')).json;
    expect(doc.paths['/debug/route-match'].post.summary).toMatch(/why the other routes lost/);
    expect(doc.paths['/debug/route-match'].post.responses['200'].content['application/json'].schema.properties.candidates.items.properties.reason.enum).toContain('host mismatch');
    for (const path of ['/config/releases', '/config/releases/{number}', '/config/releases/{number}/config', '/config/releases/{number}/diff']) expect(doc.paths[path].get.tags).toEqual(['releases']);
    expect(doc.paths['/config/releases/{number}/rollback'].post.responses['201']).toBeDefined();
  });
});
