// The upstream HTTP/1.1 client against real sockets: small net servers that answer with exact (often hostile)
// bytes, so every framing rule is seen from the wire.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import { Readable } from 'node:stream';
import { createServer as createTlsServer, type TLSSocket } from 'node:tls';
import { issueCertificate } from '@tollgate/pki';
import type { UpstreamCall, UpstreamHandler, UpstreamRequest } from './connection';
import type { UpstreamError } from './errors';
import { Http1Pool, type PoolLimits, type PoolTls } from './pool';

interface Outcome {
  status: number;
  headers: string[];
  body: string;
  trailers: string[] | null;
  error: UpstreamError | null;
}

class Collector implements UpstreamHandler {
  call: UpstreamCall | null = null;
  status = 0;
  headers: string[] = [];
  parts: Buffer[] = [];
  /** onData answers false this many times (backpressure) */
  refuse = 0;
  readonly done: Promise<Outcome>;
  private settle!: (o: Outcome) => void;
  constructor() {
    this.done = new Promise((resolve) => (this.settle = resolve));
  }
  onAttach(call: UpstreamCall): void {
    this.call = call;
  }
  onHeaders(status: number, headers: string[]): void {
    this.status = status;
    this.headers = headers;
  }
  onData(chunk: Buffer): boolean {
    this.parts.push(Buffer.from(chunk));
    if (this.refuse > 0) {
      this.refuse--;
      return false;
    }
    return true;
  }
  onComplete(trailers: string[] | null): void {
    this.settle(this.outcome(trailers, null));
  }
  onError(err: UpstreamError): void {
    this.settle(this.outcome(null, err));
  }
  private outcome(trailers: string[] | null, error: UpstreamError | null): Outcome {
    return { status: this.status, headers: this.headers, body: Buffer.concat(this.parts).toString('latin1'), trailers, error };
  }
}

/** A server that answers each request head it reads with the next scripted answer (bytes, or pieces sent apart). */
interface Scripted {
  server: Server;
  port: number;
  connections: number;
  requests: string[];
  sockets: Socket[];
}

type Answer = string | string[] | ((socket: Socket, request: string) => void);

async function scripted(answers: Answer[]): Promise<Scripted> {
  const s: Scripted = { server: null as unknown as Server, port: 0, connections: 0, requests: [], sockets: [] };
  let next = 0;
  s.server = createServer((socket) => {
    s.connections++;
    s.sockets.push(socket);
    socket.setNoDelay(true);
    let pending = '';
    socket.on('error', () => undefined);
    socket.on('data', (d) => {
      pending += d.toString('latin1');
      for (;;) {
        const end = pending.indexOf('\r\n\r\n');
        if (end < 0) return;
        let request = pending.slice(0, end + 4);
        pending = pending.slice(end + 4);
        const length = /\r\ncontent-length: *(\d+)/i.exec(request);
        if (length) {
          const n = Number(length[1]);
          if (pending.length < n) {
            pending = request + pending;
            return;
          }
          request += pending.slice(0, n);
          pending = pending.slice(n);
        } else if (/\r\ntransfer-encoding: *chunked/i.test(request)) {
          const last = pending.indexOf('0\r\n\r\n');
          if (last < 0) {
            pending = request + pending;
            return;
          }
          request += pending.slice(0, last + 5);
          pending = pending.slice(last + 5);
        }
        s.requests.push(request);
        const answer = answers[Math.min(next++, answers.length - 1)];
        if (typeof answer === 'function') answer(socket, request);
        else if (typeof answer === 'string') socket.write(answer, 'latin1');
        else void writeApart(socket, answer);
      }
    });
  });
  await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
  s.port = (s.server.address() as AddressInfo).port;
  return s;
}

async function writeApart(socket: Socket, pieces: string[]): Promise<void> {
  for (const p of pieces) {
    if (p === '<close>') {
      socket.destroy();
      return;
    }
    socket.write(p, 'latin1');
    await new Promise((r) => setTimeout(r, 5));
  }
}

const LIMITS: PoolLimits = { poolSize: 8, maxRequests: 0, idleTimeout: 60000 };

function poolFor(port: number, limits: PoolLimits = LIMITS, tls: PoolTls | null = null, servername?: string): Http1Pool {
  return new Http1Pool({ host: '127.0.0.1', port, connectTimeout: 2000, tls, servername }, limits);
}

function request(over: Partial<UpstreamRequest> = {}): UpstreamRequest {
  return { method: 'GET', path: '/x', headers: ['Host', 'up.test'], body: null, readTimeout: 2000, writeTimeout: 2000, ...over };
}

function send(pool: Http1Pool, req: UpstreamRequest = request(), c = new Collector()): Promise<Outcome> {
  pool.request(req, c);
  return c.done;
}

const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok';

describe('upstream HTTP/1.1 client', () => {
  const servers: Server[] = [];
  const pools: Http1Pool[] = [];
  async function setup(answers: Answer[], limits?: PoolLimits): Promise<{ s: Scripted; pool: Http1Pool }> {
    const s = await scripted(answers);
    servers.push(s.server);
    const pool = poolFor(s.port, limits);
    pools.push(pool);
    return { s, pool };
  }
  afterEach(async () => {
    for (const p of pools.splice(0)) p.destroy();
    await Promise.all(servers.splice(0).map((srv) => new Promise((r) => srv.close(r))));
  });

  describe('framing', () => {
    it('reads a Content-Length body and keeps the connection for the next request', async () => {
      const { s, pool } = await setup([OK]);
      const a = await send(pool);
      const b = await send(pool);
      expect([a.status, a.body, b.body]).toEqual([200, 'ok', 'ok']);
      expect(s.connections).toBe(1);
      expect(s.requests[0]).toBe('GET /x HTTP/1.1\r\nHost: up.test\r\nConnection: keep-alive\r\n\r\n');
    });

    it('decodes chunks split anywhere, with extensions and trailers', async () => {
      const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5;a=b\r\nhello\r\n6\r\n world\r\n0\r\nX-Sum: 42\r\n\r\n';
      const { s, pool } = await setup([wire.split('')]);
      const out = await send(pool);
      expect(out).toMatchObject({ status: 200, body: 'hello world', trailers: ['X-Sum', '42'], error: null });
      expect(out.headers).toEqual(['Transfer-Encoding', 'chunked']);
      await send(pool);
      expect(s.connections).toBe(1);
    });

    it('reads trailer fields by the header fields\' rules: OWS trimmed, obs-text kept, several fields in order', async () => {
      const wire = 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\nX-Sum: \t42 \r\nX-Text:caf\xe9\xa0\r\n\r\n';
      const { pool } = await setup([wire]);
      expect(await send(pool)).toMatchObject({ body: 'ok', trailers: ['X-Sum', '42', 'X-Text', 'caf\xe9\xa0'], error: null });
    });

    it('hands over body chunks a handler may keep while other connections read (they share one read buffer)', async () => {
      // each connection answers with its own letter, in pieces sent apart, so the two responses' reads interleave
      const answer = (letter: string) => (socket: Socket) =>
        void writeApart(socket, ['HTTP/1.1 200 OK\r\nContent-Length: 9\r\n\r\n', `${letter}1-`, `${letter}2-`, `${letter}3-`]);
      const { pool } = await setup([answer('a'), answer('b')]);
      // this handler keeps the very chunks it is given, as the proxy's client response may when its socket is busy
      class Keeper extends Collector {
        override onData(chunk: Buffer): boolean {
          this.parts.push(chunk);
          return true;
        }
      }
      const [a, b] = await Promise.all([send(pool, request(), new Keeper()), send(pool, request(), new Keeper())]);
      expect([a.body, b.body].sort()).toEqual(['a1-a2-a3-', 'b1-b2-b3-']);
    });

    it('drops 1xx interim responses before the final one', async () => {
      const { pool } = await setup(['HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a.css>\r\n\r\n' + OK]);
      expect(await send(pool)).toMatchObject({ status: 200, body: 'ok', headers: ['Content-Length', '2'] });
    });

    it('reads no body after 204, 304 or a HEAD request, and reuses the connection', async () => {
      const { s, pool } = await setup([
        'HTTP/1.1 204 No Content\r\nContent-Length: 10\r\n\r\n',
        'HTTP/1.1 304 Not Modified\r\nContent-Length: 10\r\n\r\n',
        'HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n',
        OK,
      ]);
      expect(await send(pool)).toMatchObject({ status: 204, body: '', error: null });
      expect(await send(pool)).toMatchObject({ status: 304, body: '', error: null });
      expect(await send(pool, request({ method: 'HEAD' }))).toMatchObject({ status: 200, body: '', error: null });
      expect(await send(pool)).toMatchObject({ status: 200, body: 'ok' });
      expect(s.connections).toBe(1);
    });

    it('reads a body without length to the close, and does not reuse that connection', async () => {
      const { s, pool } = await setup([['HTTP/1.0 200 OK\r\n\r\nuntil', ' close', '<close>'], OK]);
      expect(await send(pool)).toMatchObject({ status: 200, body: 'until close', error: null });
      expect(await send(pool)).toMatchObject({ body: 'ok' });
      expect(s.connections).toBe(2);
    });

    it('closes a connection the upstream asked to close, or that carried bytes past the response', async () => {
      const { s, pool } = await setup(['HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nokEXTRA', OK]);
      expect(await send(pool)).toMatchObject({ body: 'ok' });
      expect(await send(pool)).toMatchObject({ body: 'ok', error: null });
      expect(await send(pool)).toMatchObject({ body: 'ok' });
      expect(s.connections).toBe(3);
    });

    it('reads an answer that comes before the whole body went out, then closes that connection', async () => {
      let connections = 0;
      const server = createServer((socket) => {
        connections++;
        socket.once('data', () => socket.write(OK));
        socket.on('error', () => undefined);
      });
      servers.push(server);
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      const pool = poolFor((server.address() as AddressInfo).port);
      pools.push(pool);
      const slow = new Readable({ read() {} });
      slow.push('partial');
      const out = await send(pool, request({ method: 'POST', body: slow }));
      expect(out).toMatchObject({ status: 200, body: 'ok', error: null });
      await send(pool);
      expect(connections).toBe(2);
    });

    it('fails a body cut short of its Content-Length after the head went out', async () => {
      const { pool } = await setup([['HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc', '<close>']]);
      const out = await send(pool);
      expect(out.status).toBe(200);
      expect(out.error?.code).toBe('UPSTREAM_CLOSED');
    });

    it('fails a truncated chunked body', async () => {
      const { pool } = await setup([['HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel', '<close>']]);
      expect((await send(pool)).error?.code).toBe('UPSTREAM_CLOSED');
    });

    it.each([
      ['obs-fold', 'HTTP/1.1 200 OK\r\nX-A: a\r\n  folded\r\nContent-Length: 2\r\n\r\nok'],
      ['Content-Length with Transfer-Encoding', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n'],
      ['two Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nok'],
      ['a Content-Length list', 'HTTP/1.1 200 OK\r\nContent-Length: 2, 2\r\n\r\nok'],
      ['a signed Content-Length', 'HTTP/1.1 200 OK\r\nContent-Length: +2\r\n\r\nok'],
      ['a coding other than chunked', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n'],
      ['chunked in HTTP/1.0', 'HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n'],
      ['a bare LF line end', 'HTTP/1.1 200 OK\r\nX-A: a\nContent-Length: 2\r\n\r\nok'],
      ['a bare CR in a value', 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok'],
      ['a NUL in a value', 'HTTP/1.1 200 OK\r\nX-A: a\0b\r\nContent-Length: 2\r\n\r\nok'],
      ['whitespace before the colon', 'HTTP/1.1 200 OK\r\nContent-Length : 2\r\n\r\nok'],
      ['a line without colon', 'HTTP/1.1 200 OK\r\nnocolon\r\n\r\n'],
      ['HTTP/2.0 in the status line', 'HTTP/2.0 200 OK\r\nContent-Length: 2\r\n\r\nok'],
      ['a two-digit status', 'HTTP/1.1 20 OK\r\nContent-Length: 2\r\n\r\nok'],
      ['not HTTP at all', 'SSH-2.0-OpenSSH_9.6\r\n\r\n'],
      ['an unasked 101', 'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n'],
      ['a bad chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nok\r\n0\r\n\r\n'],
      ['a huge chunk size', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nfffffffffffffff\r\nok\r\n0\r\n\r\n'],
      ['chunk data not followed by CRLF', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nokXX0\r\n\r\n'],
      ['an invalid trailer', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nbad trailer\r\n\r\n'],
      ['whitespace before a trailer\'s colon', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Sum : 1\r\n\r\n'],
      ['a bare CR in a trailer value', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Sum: 1\r2\r\n\r\n'],
      ['an obs-fold trailer line', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nX-Sum: 1\r\n 2\r\n\r\n'],
      ['a head larger than 160k', `HTTP/1.1 200 OK\r\nX-Big: ${'a'.repeat(170 * 1024)}\r\n\r\n`],
    ])('answers %s with UPSTREAM_INVALID_RESPONSE and closes the connection', async (_name, wire) => {
      const { s, pool } = await setup([wire, OK]);
      const out = await send(pool);
      expect(out.error?.code).toBe('UPSTREAM_INVALID_RESPONSE');
      expect(await send(pool)).toMatchObject({ body: 'ok' });
      expect(s.connections).toBe(2);
    });
  });

  describe('request', () => {
    it('sends a streamed body of unknown length chunked, and a known one as is', async () => {
      const { s, pool } = await setup([OK]);
      await send(pool, request({ method: 'POST', body: Readable.from([Buffer.from('abc'), Buffer.from('de')]) }));
      await send(pool, request({ method: 'PUT', headers: ['Host', 'h', 'Content-Length', '3'], body: Readable.from([Buffer.from('xyz')]) }));
      await send(pool, request({ method: 'POST', body: Buffer.from('mem') }));
      await send(pool, request({ method: 'POST' }));
      expect(s.requests).toEqual([
        'POST /x HTTP/1.1\r\nHost: up.test\r\nTransfer-Encoding: chunked\r\nConnection: keep-alive\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n',
        'PUT /x HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nxyz',
        'POST /x HTTP/1.1\r\nHost: up.test\r\nContent-Length: 3\r\nConnection: keep-alive\r\n\r\nmem',
        'POST /x HTTP/1.1\r\nHost: up.test\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n',
      ]);
      expect(s.connections).toBe(1);
    });

    it.each([
      ['a CRLF in a value', request({ headers: ['Host', 'h', 'X-A', 'a\r\nX-Injected: 1'] })],
      ['a colon in a name', request({ headers: ['Host', 'h', 'X-A:', 'a'] })],
      ['a space in the path', request({ path: '/a b' })],
      ['a character beyond latin1', request({ headers: ['Host', 'h', 'X-A', 'caf\u20ac'] })],
      ['a bad field after the checked ones', request({ headers: ['Host', 'h', 'X-A', 'a', 'X-B', 'b\nX-Injected: 1'], checkedFields: 4, methodChecked: true })],
      ['a bad name after the checked ones', request({ headers: ['Host', 'h', 'X B', 'b'], checkedFields: 2, methodChecked: true })],
      ['a method nobody checked', request({ method: 'GET /y', checkedFields: 2 })],
      ['a DEL in a value', request({ headers: ['Host', 'h', 'X-A', 'a\x7fb'] })],
      ['an empty name', request({ headers: ['Host', 'h', '', 'a'] })],
    ])('refuses %s without writing anything', async (_name, req) => {
      const { s, pool } = await setup([OK]);
      expect((await send(pool, req)).error?.code).toBe('UPSTREAM_INVALID_REQUEST');
      await new Promise((r) => setTimeout(r, 30));
      expect(s.requests).toEqual([]);
    });
  });

  it('does not test again the method and the leading fields it is told are checked (the client\'s, as llhttp parsed them)', async () => {
    const { s, pool } = await setup([OK]);
    // a name llhttp would have refused: had it been tested, the request would fail
    const req = request({ headers: ['Host', 'up.test', 'X(checked)', '1', 'X-Plugin', 'v'], checkedFields: 4, methodChecked: true });
    expect((await send(pool, req)).status).toBe(200);
    expect(s.requests[0]).toBe('GET /x HTTP/1.1\r\nHost: up.test\r\nX(checked): 1\r\nX-Plugin: v\r\nConnection: keep-alive\r\n\r\n');
  });

  describe('timeouts', () => {
    it('read_timeout: an upstream that never answers', async () => {
      const { pool } = await setup([() => undefined]);
      const started = Date.now();
      expect((await send(pool, request({ readTimeout: 150 }))).error?.code).toBe('UPSTREAM_READ_TIMEOUT');
      expect(Date.now() - started).toBeGreaterThanOrEqual(140);
    });

    it('read_timeout on a kept-alive connection is a timeout, not a reason to start over', async () => {
      let n = 0;
      const { s, pool } = await setup([(socket) => void (n++ === 0 && socket.write(OK))]);
      await send(pool);
      expect((await send(pool, request({ readTimeout: 100 }))).error?.code).toBe('UPSTREAM_READ_TIMEOUT');
      expect(s.connections).toBe(1);
    });

    it('write_timeout on its own: an upstream that stops reading the body', async () => {
      const stalled: Socket[] = [];
      const s: Scripted = { server: createServer((socket) => stalled.push(socket.pause())), port: 0, connections: 0, requests: [], sockets: [] };
      servers.push(s.server);
      await new Promise<void>((resolve) => s.server.listen(0, '127.0.0.1', resolve));
      const pool = poolFor((s.server.address() as AddressInfo).port);
      pools.push(pool);
      const chunk = Buffer.alloc(64 * 1024, 97);
      const endless = new Readable({ read() { this.push(chunk); } });
      const started = Date.now();
      const out = await send(pool, request({ method: 'POST', body: endless, readTimeout: 60000, writeTimeout: 200 }));
      expect(out.error?.code).toBe('UPSTREAM_WRITE_TIMEOUT');
      expect(Date.now() - started).toBeLessThan(5000);
      for (const socket of stalled) socket.destroy();
    });
  });

  describe('pool', () => {
    it('closes a connection after upstream_keepalive_max_requests requests', async () => {
      const { s, pool } = await setup([OK], { poolSize: 8, maxRequests: 2, idleTimeout: 60000 });
      for (let i = 0; i < 5; i++) await send(pool);
      expect(s.connections).toBe(3);
    });

    it('a pool size of 0 turns keep-alive off', async () => {
      const { s, pool } = await setup([OK], { poolSize: 0, maxRequests: 0, idleTimeout: 60000 });
      await send(pool);
      await send(pool);
      expect(s.connections).toBe(2);
      expect(s.requests[0]).toContain('\r\nConnection: close\r\n');
    });

    it('keeps at most upstream_keepalive_pool_size idle connections', async () => {
      const { s, pool } = await setup([OK], { poolSize: 2, maxRequests: 0, idleTimeout: 60000 });
      await Promise.all([send(pool), send(pool), send(pool), send(pool)]);
      expect(s.connections).toBe(4);
      expect(pool.idleCount).toBe(2);
    });

    it('closes an idle connection after upstream_keepalive_idle_timeout', async () => {
      const { s, pool } = await setup([OK], { poolSize: 8, maxRequests: 0, idleTimeout: 100 });
      await send(pool);
      const closed = new Promise((r) => s.sockets[0].once('close', r));
      await closed;
      expect(pool.openCount).toBe(0);
      await send(pool);
      expect(s.connections).toBe(2);
    });

    it('starts over on a fresh connection when a kept-alive one was closed as it was reused', async () => {
      let n = 0;
      const { s, pool } = await setup([(socket) => (n++ === 1 ? socket.destroy() : socket.write(OK))]);
      await send(pool);
      expect(await send(pool)).toMatchObject({ status: 200, body: 'ok', error: null });
      expect(s.connections).toBe(2);
    });

    it('does not start a non-idempotent request over', async () => {
      let n = 0;
      const { pool } = await setup([(socket) => (n++ === 1 ? socket.destroy() : socket.write(OK))]);
      await send(pool);
      expect((await send(pool, request({ method: 'POST', body: Buffer.from('x') }))).error).not.toBeNull();
    });

    it('refused connection: ECONNREFUSED', async () => {
      const probe = createServer();
      await new Promise<void>((r) => probe.listen(0, '127.0.0.1', r));
      const port = (probe.address() as AddressInfo).port;
      await new Promise((r) => probe.close(r));
      const pool = poolFor(port);
      pools.push(pool);
      expect((await send(pool)).error?.code).toBe('ECONNREFUSED');
    });
  });

  it('backpressure: reading stops while the handler refuses data (no read timeout meanwhile), and resumes on call.resume()', async () => {
    const body = 'x'.repeat(4 * 1024 * 1024);
    const { pool } = await setup([`HTTP/1.1 200 OK\r\nContent-Length: ${body.length}\r\n\r\n${body}`]);
    const c = new Collector();
    c.refuse = 1;
    // paused twice as long as the read timeout
    pool.request(request({ readTimeout: 1000 }), c);
    await new Promise((r) => setTimeout(r, 1500));
    const received = c.parts.reduce((n, p) => n + p.length, 0);
    expect(received).toBeLessThan(body.length);
    await new Promise((r) => setTimeout(r, 500));
    expect(c.parts.reduce((n, p) => n + p.length, 0)).toBe(received);
    c.call!.resume(c);
    const out = await c.done;
    expect(out.error).toBeNull();
    expect(out.body.length).toBe(body.length);
  });

  it('TLS with SNI, reusing the connection', async () => {
    const ca = issueCertificate({ commonName: 'Test CA', isCa: true });
    const leaf = issueCertificate({ commonName: 'up.test', altNames: ['up.test'], issuer: ca, usage: 'server' });
    const names: (string | false | null)[] = [];
    let connections = 0;
    const server = createTlsServer({ cert: leaf.cert, key: leaf.key }, (socket: TLSSocket) => {
      connections++;
      names.push(socket.servername);
      socket.on('data', () => socket.write(OK));
      socket.on('error', () => undefined);
    });
    servers.push(server);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    const pool = poolFor(port, LIMITS, { rejectUnauthorized: true, ca: [ca.cert] }, 'up.test');
    pools.push(pool);
    expect(await send(pool)).toMatchObject({ status: 200, body: 'ok', error: null });
    expect(await send(pool)).toMatchObject({ status: 200, body: 'ok' });
    expect(names).toEqual(['up.test']);
    expect(connections).toBe(1);
    const wrongName = poolFor(port, LIMITS, { rejectUnauthorized: true, ca: [ca.cert] }, 'other.test');
    pools.push(wrongName);
    expect((await send(wrongName)).error?.code).toBe('ERR_TLS_CERT_ALTNAME_INVALID');
  });
});
