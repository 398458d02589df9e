// Kong-generated errors (§2.4), retries and timeouts (§2.5).
import { createServer, type Server } from 'node:net';
import type { AddressInfo } from 'node:net';
import { route, service, snapshot } from './support/config';
import { send } from './support/client';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { startUpstream, type TestUpstream } from './support/upstreams';

const REQUEST_ID = /^[0-9a-f]{32}$/;

async function closedPort(): Promise<number> {
  const s: Server = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('proxy errors, retries and timeouts', () => {
  let echo: TestUpstream;
  let hang: TestUpstream;
  let flaky: TestUpstream;
  let t: TestDataPlane;
  let deadPort: number;
  let flakyHangs = 0;

  beforeAll(async () => {
    echo = await startUpstream();
    // Never answers: only timeouts end these requests.
    hang = await startUpstream(() => undefined);
    // Hangs for the first `flakyHangs` requests, then echoes.
    flaky = await startUpstream((req, res) => {
      if (flakyHangs > 0) {
        flakyHangs--;
        return;
      }
      res.end(`served ${req.method}`);
    });
    deadPort = await closedPort();
    const dead = service({ port: deadPort, retries: 2 });
    const slow = service({ port: hang.port, read_timeout: 200, retries: 0 });
    const retried = service({ port: flaky.port, read_timeout: 200, retries: 3 });
    const mixed = service({ host: 'pool.internal', port: 80, retries: 3 });
    const empty = service({ host: 'empty.internal', port: 80 });
    const upstreams = [
      { id: 'a0000000-0000-4000-8000-000000000001', name: 'pool.internal', algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none', healthchecks: null, tags: null, host_header: null, client_certificate: null, use_srv_name: false, created_at: 1 },
      { id: 'a0000000-0000-4000-8000-000000000002', name: 'empty.internal', algorithm: 'round-robin', slots: 10000, hash_on: 'none', hash_fallback: 'none', healthchecks: null, tags: null, host_header: null, client_certificate: null, use_srv_name: false, created_at: 1 },
    ];
    const targets = [
      { id: 'b0000000-0000-4000-8000-000000000001', target: `127.0.0.1:${deadPort}`, weight: 100, upstream: { id: upstreams[0].id }, tags: null, created_at: 1 },
      { id: 'b0000000-0000-4000-8000-000000000002', target: `127.0.0.1:${echo.port}`, weight: 100, upstream: { id: upstreams[0].id }, tags: null, created_at: 2 },
      { id: 'b0000000-0000-4000-8000-000000000003', target: `127.0.0.1:${echo.port}`, weight: 0, upstream: { id: upstreams[1].id }, tags: null, created_at: 3 },
    ];
    t = await startTestDataPlane(
      snapshot({
        services: [dead, slow, retried, mixed, empty],
        routes: [
          route(dead, { paths: ['/dead'] }),
          route(slow, { paths: ['/slow'] }),
          route(retried, { paths: ['/flaky'] }),
          route(mixed, { paths: ['/mixed'] }),
          route(empty, { paths: ['/empty'] }),
          route(null, { paths: ['/serviceless'] }),
          route(dead, { paths: ['/secure'], protocols: ['https'] }),
          route(dead, { paths: ['/moved'], protocols: ['https'], https_redirect_status_code: 308 }),
        ],
        upstreams,
        targets,
      }),
      { client_max_body_size: 1024 },
    );
  });

  afterAll(async () => {
    await t.dp.close();
    await Promise.all([echo.close(), hang.close(), flaky.close()]);
  });

  it.each([
    ['/nowhere', {}, 404, 'application/json; charset=utf-8', /^\{\n {2}"message":"no Route matched with those values",\n {2}"request_id":"([0-9a-f]{32})"\n\}$/],
    ['/nowhere', { accept: 'text/plain' }, 404, 'text/plain; charset=utf-8', /^no Route matched with those values\nrequest_id: ([0-9a-f]{32})\n$/],
    ['/serviceless', {}, 503, 'application/json; charset=utf-8', /"message":"no Service found with those values"/],
    ['/empty', {}, 503, 'application/json; charset=utf-8', /^\{\n {2}"message":"failure to get a peer from the ring-balancer",\n {2}"request_id":"[0-9a-f]{32}"\n\}$/],
    // nginx-generated errors: Accept, then the request Content-Type, then error_default_type (text/plain).
    ['/dead', {}, 502, 'text/plain; charset=utf-8', /^An invalid response was received from the upstream server\nrequest_id: [0-9a-f]{32}\n$/],
    ['/dead', { accept: 'application/json' }, 502, 'application/json; charset=utf-8', /"message":"An invalid response was received from the upstream server"/],
    ['/dead', { 'content-type': 'application/xml' }, 502, 'application/xml; charset=utf-8', /<message>An invalid response was received from the upstream server<\/message>/],
    ['/slow', { accept: 'application/json' }, 504, 'application/json; charset=utf-8', /"message":"The upstream server is timing out"/],
    ['/secure', {}, 426, 'application/json; charset=utf-8', /"message":"Please use HTTPS protocol"/],
  ])('GET %s %j -> %i', async (path, headers, status, type, body) => {
    const reply = await send(t.port, { path, headers });
    expect(reply.status).toBe(status);
    expect(reply.headers['content-type']).toBe(type);
    expect(reply.body).toMatch(body);
    expect(reply.headers['x-kong-request-id']).toMatch(REQUEST_ID);
    expect(reply.body).toContain(reply.headers['x-kong-request-id']);
    expect(reply.headers.server).toMatch(/^tollgate\//);
    // Kong: a request whose access phase found a service is proxied, even when its balancer or upstream fails
    const proxied = ['/empty', '/dead', '/slow'].includes(path);
    const latencies = ['x-kong-response-latency', 'x-kong-upstream-latency', 'x-kong-proxy-latency'].map((h) => reply.headers[h] !== undefined);
    expect(latencies).toEqual(proxied ? [false, true, true] : [true, false, false]);
  });

  it('426 carries Connection: Upgrade and Upgrade: TLS/1.2, HTTP/1.1', async () => {
    const reply = await send(t.port, { path: '/secure' });
    expect(reply.headers.connection).toBe('Upgrade');
    expect(reply.headers.upgrade).toBe('TLS/1.2, HTTP/1.1');
  });

  it('https_redirect_status_code 308 redirects to https://<host><request_uri>', async () => {
    const reply = await send(t.port, { path: '/moved/x?y=1', headers: { host: 'shop.example.com:8000' } });
    expect(reply.status).toBe(308);
    expect(reply.headers.location).toBe('https://shop.example.com/moved/x?y=1');
    expect(reply.body).toBe('');
  });

  it('413 Payload too large when Content-Length exceeds client_max_body_size', async () => {
    const reply = await send(t.port, { method: 'POST', path: '/flaky', body: 'x'.repeat(2000), headers: { accept: 'application/json' } });
    expect(reply.status).toBe(413);
    expect(reply.body).toMatch(/"message":"Payload too large"/);
  });

  it('retries a connection failure on the next target', async () => {
    for (let i = 0; i < 4; i++) {
      const reply = await send(t.port, { path: '/mixed', method: 'POST', body: 'payload' });
      expect(reply.status).toBe(200);
      expect(JSON.parse(reply.body).body).toBe('payload');
    }
  });

  it('retries an idempotent bodiless request after a read timeout', async () => {
    flakyHangs = 2;
    const before = flaky.requests.length;
    const reply = await send(t.port, { path: '/flaky' });
    expect(reply.status).toBe(200);
    expect(reply.body).toBe('served GET');
    expect(flaky.requests.length - before).toBe(3);
  });

  it('retries any method but POST, LOCK and PATCH once sent, as nginx (a WebDAV PROPFIND too)', async () => {
    flakyHangs = 2;
    let before = flaky.requests.length;
    const propfind = await send(t.port, { path: '/flaky', method: 'PROPFIND' });
    expect(propfind.status).toBe(200);
    expect(propfind.body).toBe('served PROPFIND');
    expect(flaky.requests.length - before).toBe(3);
    flakyHangs = 1;
    before = flaky.requests.length;
    expect((await send(t.port, { path: '/flaky', method: 'PATCH' })).status).toBe(504);
    expect(flaky.requests.length - before).toBe(1);
  });

  it('does not retry a POST once it was sent', async () => {
    flakyHangs = 1;
    const before = flaky.requests.length;
    const reply = await send(t.port, { path: '/flaky', method: 'POST', body: 'once' });
    expect(reply.status).toBe(504);
    expect(flaky.requests.length - before).toBe(1);
  });

  it('gives up after 1 + retries attempts on refused connections (502)', async () => {
    const reply = await send(t.port, { path: '/dead', method: 'POST', body: 'x' });
    expect(reply.status).toBe(502);
  });
});
