// Issue 10 on a real `tollgate start` node without admin credentials (the robustness corpus runs one with them):
// the HTTP/2.0 request line on every listener kind, client timeouts on every HTTP listener, upstream 1xx/204/304
// and requests that end early (one access line each), header-bound plugin config, Kong-shaped parser rejections
// on the Admin API, and private files in the prefix.
import { createServer, type Server } from 'node:http';
import { connect as h2connect } from 'node:http2';
import { statSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { entriesFor } from './support/access-log';
import { rawRequest } from './support/raw-client';
import { startRawUpstream, type RawUpstream } from './support/raw-upstream';

const BIG = 64 * 1024 * 1024;
const HTTP2_LINE = 'GET / HTTP/2.0\r\nHost: x\r\n\r\n';

describe('a node under hostile clients and upstreams (no admin credentials)', () => {
  let node: RunningNode;
  let prefix: string;
  let raw: RawUpstream;
  let big: Server;
  let admin: string;
  let proxyPort: number;

  beforeAll(async () => {
    raw = await startRawUpstream();
    // a large body, for the client that stops reading
    big = createServer((req, res) => {
      res.writeHead(200, { 'content-length': BIG });
      const chunk = Buffer.alloc(1024 * 1024, 97);
      let sent = 0;
      const pump = () => {
        while (sent < BIG) {
          sent += chunk.length;
          if (!res.write(chunk)) return void res.once('drain', pump);
        }
        res.end();
      };
      pump();
      res.on('close', () => (sent = BIG));
    });
    await new Promise<void>((r) => big.listen(0, '127.0.0.1', () => r()));
    // a prefix Tollgate creates itself
    prefix = join(tempPrefix(), 'node');
    const conf = loopbackConf(prefix, {
      admin_listen: '127.0.0.1:0, 127.0.0.1:0 ssl, 127.0.0.1:0 http2 ssl',
      proxy_listen: '127.0.0.1:0, 127.0.0.1:0 http2 ssl',
      client_header_timeout: '1s',
      client_body_timeout: '1s',
      nginx_http_send_timeout: '1s',
      proxy_access_log_format: 'json', // the suite reads the lines as JSON
    });
    node = await startNode(['-c', writeConf(join(prefix, '..'), conf), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxyPort = node.port('proxy_listen');
    const post = async (path: string, body: unknown) => expect((await http('POST', `${admin}${path}`, { body })).status).toBe(201);
    await post('/services', { name: 'raw', url: `http://127.0.0.1:${raw.port}`, retries: 0 });
    await post('/services/raw/routes', { name: 'raw', paths: ['/raw'] });
    await post('/services', { name: 'slow', url: `http://127.0.0.1:${raw.port}`, retries: 0, read_timeout: 300 });
    await post('/services/slow/routes', { name: 'slow', paths: ['/slow'] });
    await post('/services', { name: 'big', url: `http://127.0.0.1:${(big.address() as AddressInfo).port}` });
    await post('/services/big/routes', { name: 'big', paths: ['/big'] });
    await waitFor(async () => ((await http('GET', `http://127.0.0.1:${proxyPort}/raw/ok`)).status === 200 ? true : undefined), 'routes on the proxy');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await raw?.close();
    big?.closeAllConnections();
    await new Promise<void>((r) => (big ? big.close(() => r()) : r()));
  });

  async function nodeServes(): Promise<void> {
    expect(node.child.exitCode).toBeNull();
    expect((await http('GET', `${admin}/status`)).status).toBe(200);
    expect((await http('GET', `http://127.0.0.1:${proxyPort}/raw/ok`)).text).toBe('ok');
    expect((await http('GET', `http://127.0.0.1:${node.port('status_listen')}/status`)).status).toBe(200);
  }

  describe('GET / HTTP/2.0 over an HTTP/1 connection', () => {
    it.each([
      ['Admin API, http', () => node.port('admin_listen', 0), false],
      ['Admin API, ssl (ALPN http/1.1)', () => node.port('admin_listen', 1), true],
      ['Admin API, http2 ssl (ALPN http/1.1)', () => node.port('admin_listen', 2), true],
      ['status listener', () => node.port('status_listen'), false],
    ] as const)('%s -> 505 with a JSON message, and the node keeps serving', async (_name, port, tls) => {
      const r = await rawRequest(port(), HTTP2_LINE, { tls: tls ? { alpn: ['http/1.1'] } : undefined });
      expect(r.status).toBe(505);
      expect(r.text).toMatch(/content-type: application\/json/i);
      expect(r.text.endsWith('{"message":"HTTP Version Not Supported"}')).toBe(true);
      await nodeServes();
    });

    it.each([
      ['proxy, http', () => node.port('proxy_listen', 0), false],
      ['proxy, http2 ssl (ALPN http/1.1)', () => node.port('proxy_listen', 1), true],
    ] as const)('%s -> 505 with Kong\'s body, one access line, no stack trace', async (_name, port, tls) => {
      const r = await rawRequest(port(), 'GET /raw/h2line HTTP/2.0\r\nHost: x\r\nAccept: application/json\r\n\r\n', { tls: tls ? { alpn: ['http/1.1'] } : undefined });
      expect(r.status).toBe(505);
      expect(r.text).toContain('"message":"HTTP Version Not Supported"');
      await nodeServes();
      const errorLog = readFileSync(join(prefix, 'logs', 'error.log'), 'utf8');
      expect(errorLog).not.toMatch(/TypeError|unexpected error/);
    });

    it('real HTTP/2 on the http2 ssl Admin API listener still works (the bridge tells them apart by the stream)', async () => {
      const session = h2connect(`https://127.0.0.1:${node.port('admin_listen', 2)}`, { rejectUnauthorized: false });
      session.on('error', () => undefined);
      try {
        const body = await new Promise<string>((resolve, reject) => {
          const stream = session.request({ ':path': '/status' });
          let text = '';
          stream.on('data', (c) => (text += c));
          stream.on('end', () => resolve(text));
          stream.on('error', reject);
        });
        expect(JSON.parse(body).server).toBeDefined();
      } finally {
        session.close();
      }
    });
  });

  describe('a route regex that backtracks without end', () => {
    it('holds no worker: paths that would take ~/redos/(a+)+$ hours to refuse are answered 404, and the node keeps serving', async () => {
      expect((await http('POST', `${admin}/services/raw/routes`, { body: { name: 'redos', paths: ['~/redos/(a+)+$'] } })).status).toBe(201);
      await waitFor(async () => ((await http('GET', `http://127.0.0.1:${proxyPort}/redos/aaa`)).status === 200 ? true : undefined), 'the regex route on the proxy');
      // 2^40 backtracking steps each on V8's default engine (Kong's PCRE stops at its match limit)
      const evil = `http://127.0.0.1:${proxyPort}/redos/${'a'.repeat(40)}!`;
      const answers = await Promise.all([http('GET', evil), http('GET', evil), http('GET', evil)]);
      expect(answers.map((a) => [a.status, a.json?.message])).toEqual(Array(3).fill([404, 'no Route matched with those values']));
      expect((await http('GET', `http://127.0.0.1:${proxyPort}/redos/aaaa`)).status).toBe(200);
      // and a case-insensitive header regex (`~*`), matched against what the client sends
      expect((await http('POST', `${admin}/services/raw/routes`, { body: { name: 'redos-header', paths: ['/redos-header'], headers: { 'x-redos': ['~*^(a+)+$'] } } })).status).toBe(201);
      const header = `http://127.0.0.1:${proxyPort}/redos-header`;
      await waitFor(async () => ((await http('GET', header, { headers: { 'x-redos': 'AaA' } })).status === 200 ? true : undefined), 'the header regex route on the proxy');
      const slowHeader = await Promise.all([1, 2, 3].map(() => http('GET', header, { headers: { 'x-redos': `${'a'.repeat(40)}!` } })));
      expect(slowHeader.map((a) => a.status)).toEqual([404, 404, 404]);
      await nodeServes();
    });
  });

  describe('CONNECT', () => {
    it.each([
      ['Admin API', () => node.port('admin_listen', 0), /content-type: application\/json/i, /"message": ?"Method not allowed"/],
      ['status listener', () => node.port('status_listen'), /content-type: application\/json/i, /"message": ?"Method not allowed"/],
      // the proxy's answer is Kong's error handler's: in the format Accept asks for
      ['proxy', () => node.port('proxy_listen', 0), /content-type: application\/json/i, /"message": ?"Method not allowed"/],
    ] as const)('%s -> 405 with Kong\'s message, and the connection is closed', async (_name, port, type, body) => {
      const r = await rawRequest(port(), 'CONNECT robust.test:443 HTTP/1.1\r\nHost: robust.test:443\r\nAccept: application/json\r\n\r\n');
      expect(r.status).toBe(405);
      expect(r.text).toMatch(type);
      expect(r.text).toMatch(body);
      expect(r.closed).toBe(true);
      await nodeServes();
    });
  });

  describe('an HTTP/1.1 request without Host', () => {
    it.each([
      ['Admin API, http', () => node.port('admin_listen', 0), false],
      ['Admin API, http2 ssl (ALPN http/1.1)', () => node.port('admin_listen', 2), true],
      ['status listener', () => node.port('status_listen'), false],
      ['proxy, http', () => node.port('proxy_listen', 0), false],
      ['proxy, http2 ssl (ALPN http/1.1)', () => node.port('proxy_listen', 1), true],
    ] as const)('%s -> 400 with a JSON message, and the connection is closed', async (_name, port, tls) => {
      const r = await rawRequest(port(), 'GET /raw/no-host HTTP/1.1\r\nAccept: application/json\r\n\r\n', { tls: tls ? { alpn: ['http/1.1'] } : undefined });
      expect(r.status).toBe(400);
      expect(r.text).toMatch(/content-type: application\/json/i);
      expect(r.text).toMatch(/"message": ?"Bad request"/);
      expect(r.closed).toBe(true);
      await nodeServes();
    });
  });

  describe('client_body_timeout, client_header_timeout, send_timeout', () => {
    const stalled = (path: string) => `POST ${path} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1048576\r\n\r\nabc`;

    it.each([
      ['proxy', () => node.port('proxy_listen'), '/slow/hold'],
      ['Admin API', () => node.port('admin_listen'), '/services'],
      ['status listener', () => node.port('status_listen'), '/status/ready'],
    ] as const)('%s: headers and 3 bytes of a 1 MB body, then nothing -> connection closed without a response (nginx)', async (_n, port, path) => {
      const started = Date.now();
      const r = await rawRequest(port(), stalled(path), { deadlineMs: 8000 });
      expect(r.closed).toBe(true);
      expect(r.bytes).toBe(0);
      expect(Date.now() - started).toBeGreaterThanOrEqual(900);
      expect(Date.now() - started).toBeLessThan(5000);
      await nodeServes();
    });

    it('HTTP/2 proxy stream: 3 bytes of a 1 MB body, then nothing -> the stream is reset, logged 408', async () => {
      const session = h2connect(`https://127.0.0.1:${node.port('proxy_listen', 1)}`, { rejectUnauthorized: false });
      session.on('error', () => undefined);
      try {
        const started = Date.now();
        const outcome = await new Promise<string>((resolve) => {
          const stream = session.request({ ':method': 'POST', ':path': '/slow/h2stall/hold', 'content-length': '1048576' }, { endStream: false });
          stream.on('response', (h) => resolve(`response ${h[':status']}`));
          stream.on('error', () => undefined);
          stream.on('close', () => resolve(`closed ${stream.rstCode}`));
          stream.write('abc');
        });
        expect(outcome).toMatch(/^closed /);
        expect(Date.now() - started).toBeLessThan(5000);
      } finally {
        session.destroy();
      }
      await waitFor(async () => (entriesFor(prefix, '/slow/h2stall').length === 1 ? true : undefined), 'the h2 access line');
      expect(entriesFor(prefix, '/slow/h2stall').map((e) => e.response.status)).toEqual([408]);
    });

    it('a stalled proxied body is logged once with 408', async () => {
      await waitFor(async () => (entriesFor(prefix, '/slow/hold').some((e) => e.request.method === 'POST') ? true : undefined), 'the access line');
      expect(entriesFor(prefix, '/slow/hold').filter((e) => e.request.method === 'POST').map((e) => e.response.status)).toEqual([408]);
    });

    it('a body that keeps moving is not cut (each read resets the clock)', async () => {
      const body = '{"port":"x"}';
      const r = await rawRequest(node.port('admin_listen'), '', {
        parts: ['POST /services HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 12\r\nConnection: close\r\n\r\n', ...body.match(/.{3}/g)!],
        gapMs: 400, // 5 pieces over 1.6 s, each within client_body_timeout
        deadlineMs: 6000,
      });
      expect(r.status).toBe(400);
      expect(r.text).toContain('schema violation');
    });

    it.each([
      ['Admin API', () => node.port('admin_listen')],
      ['status listener', () => node.port('status_listen')],
    ] as const)('%s: headers never finished -> 408 and close', async (_n, port) => {
      const r = await rawRequest(port(), '', { parts: ['GET / HTTP/1.1\r\n', 'Host: x\r\n', 'X-A: 1\r\n', 'X-B: 2\r\n', 'X-C: 3\r\n', 'X-D: 4\r\n'], gapMs: 400, deadlineMs: 6000 });
      expect(r.status).toBe(408);
      expect(r.closed).toBe(true);
    });

    it('proxy: a client that stops reading a 64 MB response is cut after send_timeout and logged once', async () => {
      const { connect } = await import('node:net');
      const socket = connect(proxyPort, '127.0.0.1');
      socket.on('error', () => {}); // the cut may come as a reset; 'close' below is what the test waits for
      await new Promise((r) => socket.once('connect', r));
      socket.pause();
      socket.write('GET /big/slow-reader HTTP/1.1\r\nHost: x\r\n\r\n');
      // the gateway writes until the socket buffers are full, waits send_timeout, then closes: its access line says so
      await waitFor(async () => (entriesFor(prefix, '/big/slow-reader').length === 1 ? true : undefined), 'the slow reader to be cut', 20_000);
      let received = 0;
      socket.on('data', (c: Buffer) => (received += c.length));
      await new Promise<void>((resolve) => {
        socket.once('close', () => resolve());
        socket.resume();
      });
      expect(received).toBeLessThan(BIG);
      expect(entriesFor(prefix, '/big/slow-reader')[0].response.status).toBe(200);
      await nodeServes();
    });
  });

  describe('requests that end early are logged exactly once', () => {
    it('client abort before the upstream answered -> one line, 499', async () => {
      await rawRequest(proxyPort, 'GET /raw/abort/hold HTTP/1.1\r\nHost: x\r\n\r\n', { deadlineMs: 300 });
      await waitFor(async () => (entriesFor(prefix, '/raw/abort').length === 1 ? true : undefined), 'the aborted request line');
      expect(entriesFor(prefix, '/raw/abort').map((e) => e.response.status)).toEqual([499]);
    });

    it('upstream read timeout -> 504, one line', async () => {
      const r = await rawRequest(proxyPort, 'GET /slow/timeout/hold HTTP/1.1\r\nHost: x\r\n\r\n', { untilResponse: true });
      expect(r.status).toBe(504);
      await waitFor(async () => (entriesFor(prefix, '/slow/timeout').length === 1 ? true : undefined), 'the timed-out request line');
      await nodeServes();
      expect(entriesFor(prefix, '/slow/timeout').map((e) => e.response.status)).toEqual([504]);
    });

    it('upstream 304 with Content-Length: the head is forwarded, no body, the connection stays usable', async () => {
      const r = await rawRequest(proxyPort, 'GET /raw/c/304-with-length HTTP/1.1\r\nHost: x\r\n\r\nGET /raw/after/ok HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n', { deadlineMs: 4000 });
      expect(r.text).toMatch(/^HTTP\/1\.1 304 /);
      expect(r.text).toMatch(/\r\netag: "v1"\r\n/i);
      expect(r.text).toMatch(/HTTP\/1\.1 200 OK[\s\S]*\r\n\r\nok$/);
      await waitFor(async () => (entriesFor(prefix, '/raw/c').length === 1 ? true : undefined), 'the 304 line');
      expect(entriesFor(prefix, '/raw/c').map((e) => e.response.status)).toEqual([304]);
    });

    it('upstream 103 Early Hints then 200: the client gets the 200 and its body', async () => {
      const r = await http('GET', `http://127.0.0.1:${proxyPort}/raw/e/early-hints`);
      expect([r.status, r.text]).toEqual([200, 'ok']);
    });
  });

  describe('plugin config that would end up in a header', () => {
    it.each([
      ['request-transformer add.headers', { name: 'request-transformer', config: { add: { headers: ['X-A:b\r\nX-Evil: 1'] } } }, 'add'],
      ['request-transformer rename.headers', { name: 'request-transformer', config: { rename: { headers: ['X-A:X\nB'] } } }, 'rename'],
      ['response-transformer add.headers', { name: 'response-transformer', config: { add: { headers: ['X-A:b\u0000c'] } } }, 'add'],
      ['request-termination content_type', { name: 'request-termination', config: { body: 'x', content_type: 'text/plain\r\nX-Evil: 1' } }, 'content_type'],
      ['cors origins', { name: 'cors', config: { origins: ['http://a.test\r\nX-Evil: 1'] } }, 'origins'],
      ['correlation-id header_name', { name: 'correlation-id', config: { header_name: 'X-Id\r\nX-Evil' } }, 'header_name'],
    ])('%s with CR/LF/NUL -> 400 schema violation naming the field', async (_n, body, field) => {
      const r = await http('POST', `${admin}/plugins`, { body });
      expect(r.status).toBe(400);
      expect(r.json.name).toBe('schema violation');
      expect(r.json.fields.config[field]).toBeDefined();
      expect(JSON.stringify(r.json.fields.config[field])).toMatch(/invalid characters for an HTTP header|invalid header name|bad header name/);
    });

    it('ordinary header config is still accepted', async () => {
      const r = await http('POST', `${admin}/plugins`, { body: { name: 'response-transformer', route: { name: 'raw' }, config: { add: { headers: ['X-Added:yes, "quoted"'] } } } });
      expect(r.status).toBe(201);
    });
  });

  describe.each([
    ['Admin API', () => node.port('admin_listen')],
    ['status listener', () => node.port('status_listen')],
  ] as const)('%s: parser rejections carry Kong\'s JSON body', (_listener, port) => {
    it.each([
      ['Content-Length with Transfer-Encoding', 'POST /services HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n', 400, 'Bad request'],
      ['a header block over 16 KiB', `GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431, 'Request header or cookie too large'],
      ['10,000 query parameters', `GET /services?${Array.from({ length: 10_000 }, (_, i) => `a${i}=1`).join('&')} HTTP/1.1\r\nHost: x\r\n\r\n`, 414, 'URI too long'],
    ])('%s -> %s {"message": ...}', async (_n, request, status, message) => {
      const r = await rawRequest(port(), request);
      expect(r.status).toBe(status);
      expect(r.text).toMatch(/\r\ncontent-type: application\/json; charset=utf-8\r\n/i);
      expect(r.text.endsWith(JSON.stringify({ message }))).toBe(true);
    });
  });

  it('the prefix is 0700, the SQLite database and its -wal/-shm files 0600', () => {
    const mode = (p: string) => statSync(p).mode & 0o777;
    expect(mode(prefix)).toBe(0o700);
    for (const f of ['tollgate.db', 'tollgate.db-wal', 'tollgate.db-shm']) expect([f, mode(join(prefix, f))]).toEqual([f, 0o600]);
  });
});
