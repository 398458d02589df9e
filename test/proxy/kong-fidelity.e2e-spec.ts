// Differences Kong's own specs found, through a real traditional node: gateway-generated errors carry Kong's latency
// headers, an unresolvable service host is Kong's 503, and cors answers as Kong's handler for a single origin.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { http } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';
import { upgrade } from './support/protocols';

describe('proxy answers as Kong (real node)', () => {
  let node: RunningNode;
  let admin: string;
  let proxy: string;
  let server: Server;
  let port: number;

  beforeAll(async () => {
    server = createServer((req, res) => {
      if (req.url?.startsWith('/slow')) return; // never answers: the read timeout fires
      if (req.url?.startsWith('/reset')) return req.socket.destroy();
      res.end('ok');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    port = (server.address() as AddressInfo).port;
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    const post = async (path: string, body: unknown) => {
      const res = await http('POST', `${admin}${path}`, { body });
      if (res.status !== 201) throw new Error(`${path}: ${res.status} ${res.text}`);
      return res.json;
    };
    await post('/services', { name: 'ok', url: `http://127.0.0.1:${port}`, read_timeout: 300, retries: 0 });
    await post('/services/ok/routes', { paths: ['/ok'] });
    await post('/services', { name: 'nxdomain', url: 'http://no-such-host.invalid:80', retries: 0 });
    await post('/services/nxdomain/routes', { paths: ['/nxdomain'] });
    await post('/upstreams', { name: 'empty.test' });
    await post('/services', { name: 'nopeer', host: 'empty.test' });
    await post('/services/nopeer/routes', { paths: ['/nopeer'] });
    await post('/services/ok/routes', { name: 'single', paths: ['/cors-single'] });
    await post('/routes/single/plugins', { name: 'cors', config: { origins: ['https://only.example'], credentials: true } });
    await post('/services/ok/routes', { name: 'star', paths: ['/cors-star'] });
    await post('/routes/star/plugins', { name: 'cors', config: { origins: ['*'], credentials: true } });
    await post('/services/ok/routes', { name: 'list', paths: ['/cors-list'] });
    await post('/routes/list/plugins', { name: 'cors', config: { origins: ['https://a.example', 'https://b.example'], credentials: true } });
    await waitFor(async () => ((await http('GET', `${proxy}/cors-list`)).status === 200 ? true : undefined), 'the last route to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    server?.closeAllConnections();
    await new Promise((r) => server?.close(r));
  });

  it.each([
    ['/ok/slow', 504, 'The upstream server is timing out'],
    ['/ok/reset', 502, 'An invalid response was received from the upstream server'],
    ['/nopeer', 503, 'failure to get a peer from the ring-balancer'],
    ['/nxdomain', 503, 'name resolution failed'],
  ])('GET %s -> %d with X-Kong-Upstream-Latency and X-Kong-Proxy-Latency, not X-Kong-Response-Latency', async (path, status, message) => {
    const res = await http('GET', `${proxy}${path}`, { headers: { accept: 'application/json' } });
    expect(res.status).toBe(status);
    expect(res.json).toMatchObject({ message });
    expect(res.headers['x-kong-upstream-latency']).toMatch(/^\d+$/);
    expect(res.headers['x-kong-proxy-latency']).toMatch(/^\d+$/);
    expect(res.headers.via).toMatch(/^1\.1 tollgate\//);
    expect(res.headers['x-kong-response-latency']).toBeUndefined();
  });

  it('a WebSocket upgrade to an unresolvable service host is the same 503 as HTTP, not a failed try', async () => {
    const res = await upgrade(node.port('proxy_listen'), '/nxdomain');
    expect(res.status).toBe(503);
    expect(res.headers['x-kong-upstream-latency']).toMatch(/^\d+$/);
    expect(res.headers['x-kong-response-latency']).toBeUndefined();
  });

  it('a request that never reached a service keeps X-Kong-Response-Latency', async () => {
    const res = await http('GET', `${proxy}/no-route-here`);
    expect(res.status).toBe(404);
    expect(res.headers['x-kong-response-latency']).toMatch(/^\d+$/);
    expect(res.headers['x-kong-upstream-latency']).toBeUndefined();
  });

  // Kong's cors handler: one literal origin is announced as configured whatever the request's Origin, with
  // Vary: Origin and credentials; a list allows credentials always; `*` with credentials echoes the Origin.
  it.each([
    ['/cors-single', { origin: 'https://only.example' }, { 'access-control-allow-origin': 'https://only.example', vary: 'Origin', 'access-control-allow-credentials': 'true' }],
    ['/cors-single', { origin: 'https://other.example' }, { 'access-control-allow-origin': 'https://only.example', vary: 'Origin', 'access-control-allow-credentials': 'true' }],
    ['/cors-single', {}, { 'access-control-allow-origin': 'https://only.example', vary: 'Origin', 'access-control-allow-credentials': 'true' }],
    ['/cors-star', { origin: 'https://any.example' }, { 'access-control-allow-origin': 'https://any.example', vary: 'Origin', 'access-control-allow-credentials': 'true' }],
    ['/cors-star', {}, { 'access-control-allow-origin': '*', vary: undefined, 'access-control-allow-credentials': undefined }],
    ['/cors-list', { origin: 'https://b.example:443' }, { 'access-control-allow-origin': 'https://b.example', vary: 'Origin', 'access-control-allow-credentials': 'true' }],
    ['/cors-list', { origin: 'https://evil.example' }, { 'access-control-allow-origin': undefined, vary: 'Origin', 'access-control-allow-credentials': 'true' }],
  ])('cors on %s with %j', async (path, headers, expected) => {
    const res = await http('GET', `${proxy}${path}`, { headers: headers as Record<string, string> });
    expect(res.status).toBe(200);
    const seen = Object.fromEntries(Object.keys(expected).map((name) => [name, res.headers[name]]));
    expect(seen).toEqual(expected);
  });

  it('cors preflight with a single configured origin', async () => {
    const res = await http('OPTIONS', `${proxy}/cors-single`, { headers: { origin: 'https://other.example', 'access-control-request-method': 'GET' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://only.example');
    expect(res.headers.vary).toBe('Origin');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT');
  });
});
