// Request smuggling and bad input, written byte by byte on raw sockets: llhttp (strict) rejects the framing
// ambiguities, the proxy answers 400 with Kong's body and never forwards anything.
import { connect } from 'node:net';
import { route, service, snapshot } from './support/config';
import { rawExchange } from './support/client';
import { quietLogger, startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { startUpstream, type Echo, type TestUpstream } from './support/upstreams';

describe('HTTP hardening', () => {
  let upstream: TestUpstream;
  let t: TestDataPlane;
  const errors: string[] = [];

  beforeAll(async () => {
    upstream = await startUpstream();
    const svc = service({ port: upstream.port });
    // a route on a request header, to another service path: which one matched shows in the upstream's URL
    const deep = service({ port: upstream.port, path: '/by-header' });
    const routes = [route(svc, { paths: ['/'] }), route(deep, { paths: ['/'], headers: { 'x-deep': ['yes'] } })];
    const logger = { ...quietLogger, error: (_obj: unknown, msg?: string) => void errors.push(msg ?? '') };
    t = await startTestDataPlane(snapshot({ services: [svc, deep], routes }), {
      client_max_header_size: 4096,
      client_max_headers: 20,
      client_header_timeout: 400,
      client_max_body_size: 1000,
    }, undefined, logger);
  });

  afterAll(async () => {
    await t.dp.close();
    await upstream.close();
  });

  const SMUGGLE = 'GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n';
  it.each([
    ['Content-Length with Transfer-Encoding', `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLE}`],
    ['Transfer-Encoding then Content-Length', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\n${SMUGGLE}`],
    ['two different Content-Length', `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 40\r\n\r\nabc${SMUGGLE}`],
    ['two equal Content-Length', `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc`],
    ['Content-Length list', `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc`],
    ['non-numeric Content-Length', `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 3x\r\n\r\nabc`],
    ['negative Content-Length', `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n`],
    ['Transfer-Encoding not ending in chunked', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n`],
    ['obfuscated Transfer-Encoding', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`],
    ['space before colon', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n`],
    ['obs-fold continuation line', `GET / HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n  folded\r\n\r\n`],
    ['bad chunk size', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n`],
    ['chunk size overflow', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffffff1\r\nabc\r\n0\r\n\r\n`],
    ['chunk without CRLF after data', `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabcX\r\n0\r\n\r\n`],
    ['bare LF line endings', `GET / HTTP/1.1\nHost: x\nX-A: 1\n\n`],
    ['NUL in header value', `GET / HTTP/1.1\r\nHost: x\r\nX-A: a\u0000b\r\n\r\n`],
    ['invalid header name', `GET / HTTP/1.1\r\nHost: x\r\nX(A): 1\r\n\r\n`],
    ['missing Host on HTTP/1.1', `GET / HTTP/1.1\r\nX-A: 1\r\n\r\n`],
    ['invalid method token', `G(T / HTTP/1.1\r\nHost: x\r\n\r\n`],
    ['unsupported HTTP version', `GET / HTTP/9.9\r\nHost: x\r\n\r\n`],
  ])('%s -> 400, nothing forwarded', async (_name, payload) => {
    const before = upstream.requests.length;
    const response = await rawExchange(t.port, payload);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).not.toMatch(/HTTP\/1\.1 200/);
    expect(upstream.requests.length).toBe(before);
  });

  it('header block over client_max_header_size -> 400 Request header or cookie too large', async () => {
    const response = await rawExchange(t.port, `GET / HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nX-Big: ${'a'.repeat(5000)}\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 400 /);
    expect(response).toContain('Request header or cookie too large');
  });

  it('more headers than client_max_headers (lua_max_req_headers): proxied with all of them, routed on the first ones, as Kong', async () => {
    let headers = '';
    for (let i = 0; i < 25; i++) headers += `X-H${i}: ${i}\r\n`;
    // X-Deep among the first 20: the header route matches
    const seen = await rawExchange(t.port, `GET /x HTTP/1.1\r\nHost: x\r\nX-Deep: yes\r\n${headers}Connection: close\r\n\r\n`);
    expect(seen).toMatch(/^HTTP\/1\.1 200 /);
    const echo = JSON.parse(seen.slice(seen.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(echo.url).toBe('/by-header/x');
    expect(echo.headers['x-h24']).toBe('24');
    const truncated =
      "router: not all request headers were read in order to determine the route as the request contains more than 20 headers, route selection may be inaccurate, consider increasing the 'lua_max_req_headers' configuration value (currently at 20)";
    expect(errors).toEqual([truncated]);
    // X-Deep as the 28th: the router does not read it (Kong logs why), the upstream still gets every header
    const unseen = await rawExchange(t.port, `GET /x HTTP/1.1\r\nHost: x\r\n${headers}X-Deep: yes\r\nConnection: close\r\n\r\n`);
    expect(unseen).toMatch(/^HTTP\/1\.1 200 /);
    const echo2 = JSON.parse(unseen.slice(unseen.indexOf('\r\n\r\n') + 4)) as Echo;
    expect(echo2.url).toBe('/x');
    expect(echo2.headers['x-h24']).toBe('24');
    expect(echo2.headers['x-deep']).toBe('yes');
    expect(errors).toEqual([truncated, truncated]);
    // within the limit: nothing logged
    const few = await rawExchange(t.port, `GET /x HTTP/1.1\r\nHost: x\r\nX-Deep: yes\r\nConnection: close\r\n\r\n`);
    expect(few).toMatch(/^HTTP\/1\.1 200 /);
    expect(errors).toHaveLength(2);
  });

  it('slowloris: headers not complete within client_header_timeout -> 408 and close', async () => {
    const started = Date.now();
    const response = await new Promise<string>((resolve) => {
      const socket = connect(t.port, '127.0.0.1');
      let out = '';
      socket.write('GET / HTTP/1.1\r\nHost: x\r\n');
      // Keep trickling header bytes: an idle timeout alone would not catch this.
      const drip = setInterval(() => socket.writable && socket.write('X-Drip: 1\r\n'), 100);
      socket.on('data', (d: Buffer) => (out += d.toString()));
      socket.on('error', () => undefined);
      socket.on('close', () => {
        clearInterval(drip);
        resolve(out);
      });
    });
    expect(response).toMatch(/^HTTP\/1\.1 408 /);
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('chunked body over client_max_body_size -> 413 Payload too large', async () => {
    const chunk = 'a'.repeat(600);
    const response = await rawExchange(
      t.port,
      `POST / HTTP/1.1\r\nHost: x\r\nAccept: application/json\r\nTransfer-Encoding: chunked\r\n\r\n258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`,
    );
    expect(response).toMatch(/^HTTP\/1\.1 413 /);
    expect(response).toContain('"message":"Payload too large"');
  });

  it('a valid chunked request still goes through with its body', async () => {
    const response = await rawExchange(t.port, `POST /ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n`);
    expect(response).toMatch(/^HTTP\/1\.1 200 /);
    expect(response).toContain('"body":"abcde"');
  });
});
