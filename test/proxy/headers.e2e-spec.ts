// Upstream and downstream headers as Kong sends them (kong-data-plane.md §2.1, §2.2).
import { route, service, snapshot } from './support/config';
import { json, rawExchange, send } from './support/client';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { startUpstream, type Echo, type TestUpstream } from './support/upstreams';
import { listenEntry } from './support/settings';
import { request as httpsRequest } from 'node:https';
import { issueCertificate } from '@tollgate/pki';
import { TOLLGATE_RELEASE } from '../../apps/proxy/src/forward/identity';

describe('proxy headers', () => {
  let upstream: TestUpstream;
  let t: TestDataPlane;
  let trusted: TestDataPlane;

  beforeAll(async () => {
    upstream = await startUpstream();
    const svc = service({ port: upstream.port, path: '/base' });
    const config = snapshot({
      services: [svc],
      routes: [
        route(svc, { paths: ['/strip'], strip_path: true }),
        route(svc, { paths: ['/keep'], strip_path: false }),
        route(svc, { paths: ['/host'], preserve_host: true }),
      ],
    });
    t = await startTestDataPlane(config);
    trusted = await startTestDataPlane(config, { trusted_ips: ['127.0.0.1/32'], real_ip_recursive: false });
  });

  afterAll(async () => {
    await t.dp.close();
    await trusted.dp.close();
    await upstream.close();
  });

  it('GET /strip sends Kong upstream headers from an untrusted client', async () => {
    const reply = await send(t.port, {
      path: '/strip/a?x=1',
      headers: {
        host: 'api.example.com:9000',
        'x-forwarded-for': '10.0.0.1',
        'x-forwarded-proto': 'https',
        'x-forwarded-host': 'spoof.example.com',
        'x-forwarded-port': '1234',
        'x-forwarded-path': '/spoof',
        'x-forwarded-prefix': '/spoof',
        'x-real-ip': '10.9.9.9',
        via: '1.0 corp-proxy',
      },
    });
    expect(reply.status).toBe(200);
    const echo = json<Echo>(reply);
    expect(echo.url).toBe('/base/a?x=1');
    expect(echo.headers).toMatchObject({
      host: `127.0.0.1:${upstream.port}`,
      'x-forwarded-for': '10.0.0.1, 127.0.0.1',
      'x-forwarded-proto': 'http',
      'x-forwarded-host': 'api.example.com',
      'x-forwarded-port': String(t.port),
      'x-forwarded-path': '/strip/a',
      'x-forwarded-prefix': '/strip',
      'x-real-ip': '127.0.0.1',
      via: `1.0 corp-proxy, 1.1 tollgate/${TOLLGATE_RELEASE}`,
    });
    expect(echo.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(echo.headers['x-kong-request-id']).toBe(reply.headers['x-kong-request-id']);
  });

  it('GET /keep without client X-Forwarded-For sends the peer address and no prefix', async () => {
    const echo = json<Echo>(await send(t.port, { path: '/keep/b', headers: { host: 'h.test' } }));
    expect(echo.url).toBe('/base/keep/b');
    expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    expect(echo.headers['x-forwarded-prefix']).toBeUndefined();
  });

  it('GET /host with preserve_host sends the client Host', async () => {
    const echo = json<Echo>(await send(t.port, { path: '/host', headers: { host: 'keep.example.com:81' } }));
    expect(echo.headers.host).toBe('keep.example.com:81');
  });

  it('an absolute-form target names the host, as nginx\'s $host: preserve_host and X-Forwarded-Host use it, not Host', async () => {
    const raw = await rawExchange(t.port, 'GET http://target.example.com/host HTTP/1.1\r\nHost: header.example.com\r\nConnection: close\r\n\r\n');
    expect(raw).toMatch(/^HTTP\/1\.1 200 /);
    const echo = JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(echo.headers.host).toBe('target.example.com');
    expect(echo.headers['x-forwarded-host']).toBe('target.example.com');
  });

  it('trusted client: X-Forwarded-* and real_ip_header are honoured', async () => {
    const echo = json<Echo>(
      await send(trusted.port, {
        path: '/strip',
        headers: {
          'x-forwarded-for': '10.0.0.1',
          'x-forwarded-proto': 'https',
          'x-forwarded-host': 'front.example.com',
          'x-forwarded-port': '443',
          'x-forwarded-path': '/outer/strip',
          'x-forwarded-prefix': '/outer',
          'x-real-ip': '10.9.9.9',
        },
      }),
    );
    expect(echo.headers).toMatchObject({
      'x-forwarded-for': '10.0.0.1, 127.0.0.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'front.example.com',
      'x-forwarded-port': '443',
      'x-forwarded-path': '/outer/strip',
      'x-forwarded-prefix': '/outer',
      'x-real-ip': '10.9.9.9',
    });
  });

  it('removes hop-by-hop headers and those named in Connection', async () => {
    const echo = json<Echo>(
      await send(t.port, {
        path: '/keep',
        headers: { connection: 'keep-alive, x-secret', 'x-secret': '1', 'keep-alive': 'timeout=5', 'proxy-connection': 'x', te: 'trailers', 'x-kept': 'yes' },
      }),
    );
    expect(echo.headers['x-secret']).toBeUndefined();
    expect(echo.headers['keep-alive']).toBeUndefined();
    expect(echo.headers['proxy-connection']).toBeUndefined();
    expect(echo.headers.te).toBe('trailers');
    expect(echo.headers['x-kept']).toBe('yes');
  });

  it('downstream: Via, Server, latency and request id headers', async () => {
    const reply = await send(t.port, { path: '/keep' });
    expect(reply.headers.via).toBe(`1.1 tollgate/${TOLLGATE_RELEASE}`);
    expect(reply.headers.server).toBe(`tollgate/${TOLLGATE_RELEASE}`);
    expect(reply.headers['x-kong-upstream-latency']).toMatch(/^\d+$/);
    expect(reply.headers['x-kong-proxy-latency']).toMatch(/^\d+$/);
    expect(reply.headers['x-kong-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('proxy headers: upstream Server and Via, `headers = off`', () => {
  it('keeps the upstream Server, appends to its Via, and omits Kong headers when off', async () => {
    const upstream = await startUpstream((_req, res) => {
      res.writeHead(200, { server: 'upstream/1', via: '1.1 inner', 'content-length': '2', connection: 'keep-alive, x-hop', 'x-hop': 'h' });
      res.end('ok');
    });
    const svc = service({ port: upstream.port });
    const config = snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] });
    const on = await startTestDataPlane(config);
    const off = await startTestDataPlane(config, { headers: ['off'], headers_upstream: ['off'] });
    try {
      const a = await send(on.port);
      expect(a.headers.server).toBe('upstream/1');
      expect(a.headers.via).toBe(`1.1 inner, 1.1 tollgate/${TOLLGATE_RELEASE}`);
      expect(a.headers['x-hop']).toBeUndefined();
      const b = await send(off.port);
      expect(b.headers.server).toBe('upstream/1');
      expect(b.headers.via).toBe('1.1 inner');
      expect(b.headers['x-kong-request-id']).toBeUndefined();
      expect(b.headers['x-kong-proxy-latency']).toBeUndefined();
      expect(upstream.requests.at(-1)!.headers['x-kong-request-id']).toBeUndefined();
    } finally {
      await on.dp.close();
      await off.dp.close();
      await upstream.close();
    }
  });
});

describe('https-only routes and a trusted X-Forwarded-Proto (Kong: forwarded_proto decides the redirect)', () => {
  let upstream: TestUpstream;
  let t: TestDataPlane;

  beforeAll(async () => {
    upstream = await startUpstream();
    const svc = service({ port: upstream.port });
    t = await startTestDataPlane(
      snapshot({ services: [svc], routes: [route(svc, { paths: ['/secure'], protocols: ['https'] })] }),
      { proxy_listeners: [listenEntry(), listenEntry({ ssl: true })], trusted_ips: ['127.0.0.1/32'] },
      issueCertificate({ commonName: 'localhost', altNames: ['localhost'] }),
    );
  });

  afterAll(async () => {
    await t.dp.close();
    await upstream.close();
  });

  const overTls = (headers: Record<string, string | string[]>) =>
    new Promise<number>((resolve, reject) => {
      const req = httpsRequest({ host: '127.0.0.1', port: t.ports[1], path: '/secure', headers, rejectUnauthorized: false, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode!));
      });
      req.on('error', reject);
      req.end();
    });

  it('over TLS, a trusted client saying http is redirected (426), as Kong', async () => {
    expect(await overTls({})).toBe(200);
    expect(await overTls({ 'x-forwarded-proto': 'https' })).toBe(200);
    expect(await overTls({ 'x-forwarded-proto': 'http' })).toBe(426);
  });

  it('the first X-Forwarded-Proto decides, the one the upstream gets', async () => {
    const ok = await send(t.ports[0], { path: '/secure', headers: { 'x-forwarded-proto': ['https', 'http'] } });
    expect(ok.status).toBe(200);
    expect(json<Echo>(ok).headers['x-forwarded-proto']).toBe('https');
    expect((await send(t.ports[0], { path: '/secure', headers: { 'x-forwarded-proto': ['http', 'https'] } })).status).toBe(426);
  });
});
