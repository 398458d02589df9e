// The lean HTTP/1 server on real sockets: ordering, interim responses, timeouts, graceful stop and hand-over.
// The pipeline itself is covered end to end under test/proxy and test/robustness; these handlers are minimal.
import { connect, type AddressInfo, type Socket } from 'node:net';
import type { IncomingMessage } from 'node:http';
import { parserRejection, requestLineLimit, type ParserError } from '@tollgate/errors';
import { createH1Server, type H1Handlers, type H1NetServer, type H1Settings } from './h1-server';
import type { H1Response } from './h1-response';

const SETTINGS: H1Settings = { maxHeaderSize: 16384, headersTimeout: 60000, keepAliveTimeout: 75000, timeouts: { bodyMs: 0, sendMs: 0 } };

interface Harness {
  server: H1NetServer;
  port: number;
  requests: Array<{ req: IncomingMessage; res: H1Response }>;
  clientErrors: string[];
  /** The status each client error is answered with (the proxy's rule: an oversized head is 400, its line 414). */
  rejections: number[];
  upgrades: Array<{ req: IncomingMessage; head: string }>;
}

let open: Harness[] = [];
const sockets: Socket[] = [];

async function start(settings: Partial<H1Settings> = {}, onRequest?: (req: IncomingMessage, res: H1Response) => void): Promise<Harness> {
  const h = { requests: [], clientErrors: [], rejections: [], upgrades: [] } as unknown as Harness;
  const lineLimit = requestLineLimit(settings.maxHeaderSize ?? SETTINGS.maxHeaderSize);
  const handlers: H1Handlers = {
    request(req, res) {
      h.requests.push({ req, res });
      if (onRequest) onRequest(req, res);
      else res.end(`${req.method} ${req.url}`);
    },
    upgrade(req, socket, head) {
      h.upgrades.push({ req, head: head.toString('latin1') });
      socket.on('error', () => socket.destroy());
      socket.end('HTTP/1.1 101 Switching Protocols\r\n\r\n');
    },
    connect(_req, socket) {
      socket.destroy();
    },
    clientError(err: ParserError, socket) {
      h.clientErrors.push(err.code ?? err.message);
      h.rejections.push(parserRejection(err, { status: 400, message: 'Request header or cookie too large' }, lineLimit).status);
      socket.destroy();
    },
  };
  h.server = createH1Server({ ...SETTINGS, ...settings }, handlers, {});
  await new Promise<void>((resolve) => h.server.listen(0, '127.0.0.1', resolve));
  h.port = (h.server.address() as AddressInfo).port;
  open.push(h);
  return h;
}

function client(port: number): { socket: Socket; text: () => string; closed: Promise<void> } {
  const socket = connect(port, '127.0.0.1');
  sockets.push(socket);
  let text = '';
  socket.on('data', (d) => (text += d.toString('latin1')));
  socket.on('error', () => {});
  const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
  return { socket, text: () => text, closed };
}

const until = async (cond: () => boolean, ms = 3000) => {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
};

afterEach(async () => {
  for (const s of sockets.splice(0)) s.destroy();
  for (const h of open) {
    h.server.closeAllConnections();
    await new Promise<void>((resolve) => h.server.close(() => resolve()));
  }
  open = [];
});

describe('lean HTTP/1 server', () => {
  it('answers the requests before a bad pipelined head first, then refuses it (nginx): the 400 does not cut them off', async () => {
    const h = await start({}, (req, res) => setTimeout(() => res.end(`${req.method} ${req.url}`), 50));
    const c = client(h.port);
    c.socket.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\nGET /b HTTP/1.1\r\nHost: a\r\n\r\nG(T /c HTTP/1.1\r\nHost: a\r\n\r\n');
    c.socket.end(); // the client's FIN behind them changes nothing
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/aHTTP\/1\.1 200 OK\r\n[\s\S]*\r\n\r\nGET \/b$/);
    expect(h.requests.map((r) => r.req.url)).toEqual(['/a', '/b']);
    expect(h.clientErrors).toEqual(['HPE_INVALID_METHOD']);
  });

  it('answers pipelined requests in order, handing each out only once the one before finished', async () => {
    const held: H1Response[] = [];
    const h = await start({}, (req, res) => {
      if (req.url === '/slow') held.push(res);
      else res.end(req.url);
    });
    const c = client(h.port);
    c.socket.write('GET /slow HTTP/1.1\r\nHost: a\r\n\r\nGET /second HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => held.length === 1);
    await new Promise((r) => setTimeout(r, 50));
    expect(h.requests.map((r) => r.req.url)).toEqual(['/slow']);
    held[0].end('first');
    await until(() => c.text().includes('/second'));
    const text = c.text();
    expect(text.indexOf('first')).toBeGreaterThan(0);
    expect(text.indexOf('first')).toBeLessThan(text.indexOf('/second'));
    expect(text.match(/HTTP\/1\.1 200 OK/g)).toHaveLength(2);
  });

  it('ends requests without a body with their head and streams the others, mixed on one connection and pipelined', async () => {
    const seen: string[] = [];
    const h = await start({}, (req, res) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} [${body}] complete=${req.complete}`);
        res.end(`${req.url}:${body.length}`);
      });
    });
    const c = client(h.port);
    c.socket.write('GET /a HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => c.text().includes('/a:0'));
    c.socket.write('POST /b HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nhel');
    await new Promise((r) => setTimeout(r, 30));
    c.socket.write('lo');
    await until(() => c.text().includes('/b:5'));
    // pipelined: empty Content-Length, chunked, then nothing
    c.socket.write(
      'POST /c HTTP/1.1\r\nHost: a\r\nContent-Length: 0\r\n\r\n' +
        'POST /d HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
        'GET /e HTTP/1.1\r\nHost: a\r\n\r\n',
    );
    await until(() => c.text().includes('/e:0'));
    expect(seen).toEqual([
      'GET /a [] complete=true',
      'POST /b [hello] complete=true',
      'POST /c [] complete=true',
      'POST /d [abc] complete=true',
      'GET /e [] complete=true',
    ]);
    expect(c.text().match(/HTTP\/1\.1 200 OK/g)).toHaveLength(5);
  });

  it('frames like node:http: Content-Length from end(), chunked for streamed bodies, no body for HEAD, close for HTTP/1.0', async () => {
    const h = await start({}, (req, res) => {
      if (req.url === '/stream') {
        res.write('ab');
        res.end('cd');
      } else res.end('body');
    });
    const c = client(h.port);
    c.socket.write('GET /len HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => c.text().endsWith('body'));
    expect(c.text()).toMatch(/Content-Length: 4\r\n/);
    expect(c.text()).toMatch(/Connection: keep-alive\r\nKeep-Alive: timeout=75\r\n/);
    c.socket.write('GET /stream HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => c.text().endsWith('0\r\n\r\n'));
    expect(c.text()).toContain('Transfer-Encoding: chunked\r\n\r\n2\r\nab\r\n2\r\ncd\r\n0\r\n\r\n');
    const head = client(h.port);
    head.socket.write('HEAD /len HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => head.text().endsWith('\r\n\r\n'));
    await new Promise((r) => setTimeout(r, 50));
    // as node:http: a HEAD response carries no body and no framing of the body it would have had
    expect(head.text()).toMatch(/^HTTP\/1\.1 200 OK\r\nDate: [^\r]+\r\nConnection: keep-alive\r\nKeep-Alive: timeout=75\r\n\r\n$/);
    const old = client(h.port);
    old.socket.write('GET /len HTTP/1.0\r\n\r\n');
    await old.closed;
    expect(old.text()).toMatch(/Connection: close\r\n\r\nbody$/);
  });

  it('sends 100 Continue before handing out a request that expects it', async () => {
    const h = await start({}, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => res.end(Buffer.concat(parts)));
    });
    const c = client(h.port);
    c.socket.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await until(() => c.text().includes('100 Continue'));
    expect(c.text()).toBe('HTTP/1.1 100 Continue\r\n\r\n');
    c.socket.write('hello');
    await until(() => c.text().endsWith('hello'));
  });

  it('answers a request refused before its body is read without 100 Continue, then closes (as nginx)', async () => {
    const h = await start({}, (_req, res) => {
      res.statusCode = 401;
      res.end('no');
    });
    const c = client(h.port);
    c.socket.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n');
    await c.closed;
    expect(c.text()).toMatch(/^HTTP\/1\.1 401 Unauthorized\r\n/);
    expect(c.text()).not.toContain('100 Continue');
    expect(c.text()).toContain('Connection: close\r\n');
  });

  it('hands a body over as a stream, trailers included, and rejects smuggling framing through clientError', async () => {
    let trailers: NodeJS.Dict<string> = {};
    const h = await start({}, (req, res) => {
      const parts: Buffer[] = [];
      req.on('data', (d: Buffer) => parts.push(d));
      req.on('end', () => {
        trailers = req.trailers;
        res.end(Buffer.concat(parts));
      });
    });
    const c = client(h.port);
    c.socket.write('POST /x HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\nX-T: 1\r\n\r\n');
    await until(() => c.text().endsWith('hello'));
    expect(trailers).toEqual({ 'x-t': '1' });
    const d = client(h.port);
    d.socket.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n');
    await d.closed;
    expect(h.clientErrors).toEqual(['HPE_INVALID_TRANSFER_ENCODING']);
  });

  it('tells an oversized request line (414) from oversized headers (400) when the head arrives over several reads', async () => {
    const h = await start();
    // the first read holds the line's start; the overflow happens in a later read that starts mid-line
    const heads: Array<[string, string, number]> = [
      [`GET /?${'a'.repeat(1000)}`, `${'a'.repeat(20_000)} HTTP/1.1\r\nHost: a\r\n\r\n`, 414],
      [`GET / HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(1000)}`, `${'b'.repeat(20_000)}\r\n\r\n`, 400],
      // the line ended past the line limit (4 KiB here) in the second read; a header then overflowed
      [`GET /?${'q'.repeat(3000)}`, `${'q'.repeat(2000)} HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 414],
      [`GET /?${'q'.repeat(1000)}`, `${'q'.repeat(1000)} HTTP/1.1\r\nX-Big: ${'b'.repeat(20_000)}\r\n\r\n`, 400],
    ];
    for (const [first, rest] of heads) {
      const c = client(h.port);
      c.socket.setNoDelay(true);
      c.socket.write(first);
      await new Promise((r) => setTimeout(r, 60));
      c.socket.write(rest);
      await c.closed;
    }
    expect(h.clientErrors).toEqual(heads.map(() => 'HPE_HEADER_OVERFLOW'));
    expect(h.rejections).toEqual(heads.map((x) => x[2]));
  });

  it('times out a head that trickles in, from its first byte, and an idle keep-alive connection', async () => {
    const h = await start({ headersTimeout: 300, keepAliveTimeout: 300 });
    const c = client(h.port);
    const timer = setInterval(() => c.socket.write('X'), 50);
    c.socket.write('GET / HTTP/1.1\r\nX-Slow: ');
    await c.closed;
    clearInterval(timer);
    expect(h.clientErrors).toEqual(['ERR_HTTP_REQUEST_TIMEOUT']);
    const d = client(h.port);
    d.socket.write('GET /idle HTTP/1.1\r\nHost: a\r\n\r\n');
    const started = Date.now();
    await d.closed;
    expect(d.text()).toContain('GET /idle');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    expect(h.clientErrors).toHaveLength(1);
  });

  it('cuts a client that stops reading once send_timeout passes, with the response waiting in the socket queue', async () => {
    const body = 'b'.repeat(12 * 1024);
    const h = await start({ timeouts: { bodyMs: 300, sendMs: 300 } }, (_req, res) => res.end(body));
    const socket = connect(h.port, '127.0.0.1');
    sockets.push(socket);
    socket.on('error', () => {});
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    // many pipelined requests and no reading: the responses fill the kernel's buffers, the last write has to wait
    socket.pause();
    socket.write('GET / HTTP/1.1\r\nHost: a\r\n\r\n'.repeat(4000));
    await new Promise((r) => setTimeout(r, 1500));
    // reading again: what was sent before the cut arrives, then the connection ends (kept open, all 4000 would follow)
    let text = '';
    socket.on('data', (d: Buffer) => (text += d.toString('latin1')));
    socket.resume();
    await closed;
    expect(h.requests.length).toBeGreaterThan(10);
    expect(h.requests.length).toBeLessThan(4000);
    expect((text.match(/HTTP\/1\.1 200 OK/g) ?? []).length).toBeLessThan(4000);
  });

  it('closes idle connections on a graceful stop and leaves busy ones alone', async () => {
    const held: H1Response[] = [];
    const h = await start({}, (req, res) => (req.url === '/busy' ? held.push(res) : res.end('x')));
    const idle = client(h.port);
    idle.socket.write('GET /x HTTP/1.1\r\nHost: a\r\n\r\n');
    const busy = client(h.port);
    busy.socket.write('GET /busy HTTP/1.1\r\nHost: a\r\n\r\n');
    await until(() => held.length === 1 && idle.text().endsWith('x'));
    h.server.closeIdleConnections();
    await idle.closed;
    expect(busy.socket.destroyed).toBe(false);
    held[0].end('done');
    await until(() => busy.text().endsWith('done'));
  });

  it('closes the response of a client that went away, unfinished, and destroys its request', async () => {
    const held: H1Response[] = [];
    const h = await start({}, (_req, res) => held.push(res));
    const c = client(h.port);
    c.socket.write('POST /x HTTP/1.1\r\nHost: a\r\nContent-Length: 10\r\n\r\nabc');
    await until(() => held.length === 1);
    const closed = new Promise<boolean>((resolve) => held[0].on('close', () => resolve(held[0].writableFinished)));
    c.socket.destroy();
    expect(await closed).toBe(false);
    await until(() => h.requests[0].req.destroyed);
  });

  // nginx (so Kong) takes any method of A-Z, '_' and '-' and proxies it; llhttp only knows a list (ngx_http_parse.c, sw_method)
  describe('methods llhttp does not know', () => {
    /** Each request's method, URL and body as the handler read it, answered with the same. */
    const echo = (seen: string[]) => (req: IncomingMessage, res: H1Response) => {
      let body = '';
      req.setEncoding('latin1');
      req.on('data', (d: string) => (body += d));
      req.on('end', () => {
        seen.push(`${req.method} ${req.url} [${body}]`);
        res.end(`${req.method} ${req.url} [${body}]`);
      });
    };

    it.each([
      ['in one read', ['BREW /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'BREW'],
      // llhttp stops in the first read: the rest of the token is still to come
      ['cut where llhttp stops', ['BR', 'EW /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'BREW'],
      ['cut over three reads', ['BR', 'E', 'W /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'BREW'],
      ['cut right before its space', ['BREW', ' /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'BREW'],
      // llhttp takes the first read (a prefix of BIND) and stops in the second
      ['cut inside a prefix llhttp knows', ['BI', 'NX /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'BINX'],
      ['cut after a method llhttp knows', ['GET', '_IT /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'GET_IT'],
      ['with _ and -', ['FOO_BAR-X /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'FOO_BAR-X'],
      // llhttp matches its RTSP methods and refuses them only at HTTP/, past the target
      ['of llhttp\'s RTSP list', ['PLAY /pot HTTP/1.1\r\nHost: a\r\n\r\n'], 'PLAY'],
      ['of llhttp\'s RTSP list, cut in the target', ['GET_PARAMETER /p', 'ot HTTP/1.1\r\nHost: a\r\n\r\n'], 'GET_PARAMETER'],
    ])('hands a request out with its own method: %s', async (_name, reads, method) => {
      const seen: string[] = [];
      const h = await start({}, echo(seen));
      const c = client(h.port);
      c.socket.setNoDelay(true);
      for (const read of reads) {
        c.socket.write(read);
        await new Promise((r) => setTimeout(r, 40));
      }
      await until(() => c.text().includes('[]'));
      expect(seen).toEqual([`${method} /pot []`]);
      expect(h.clientErrors).toEqual([]);
      // the connection stays usable, for known and unknown methods
      c.socket.write('GET /next HTTP/1.1\r\nHost: a\r\n\r\nBREW /last HTTP/1.1\r\nHost: a\r\n\r\n');
      await until(() => seen.length === 3);
      expect(seen.slice(1)).toEqual(['GET /next []', 'BREW /last []']);
    });

    it('answers pipelined requests with unknown and known methods in order, bodies framed by their own headers', async () => {
      const seen: string[] = [];
      const h = await start({}, echo(seen));
      const c = client(h.port);
      c.socket.write(
        'BREW /a HTTP/1.1\r\nHost: a\r\n\r\n' +
          'GET /b HTTP/1.1\r\nHost: a\r\n\r\n' +
          'BREW /c HTTP/1.1\r\nHost: a\r\nContent-Length: 5\r\n\r\nHELLO' +
          // a body ending in method characters right before an unknown method
          'PURGE /d HTTP/1.1\r\nHost: a\r\nContent-Length: 3\r\n\r\nXYZ' +
          'FOO /e HTTP/1.1\r\nHost: a\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n' +
          'PUT /f HTTP/1.1\r\nHost: a\r\nContent-Length: 2\r\n\r\nok',
      );
      await until(() => seen.length === 6);
      expect(seen).toEqual(['BREW /a []', 'GET /b []', 'BREW /c [HELLO]', 'PURGE /d [XYZ]', 'FOO /e [abc]', 'PUT /f [ok]']);
      await until(() => (c.text().match(/HTTP\/1\.1 200 OK/g) ?? []).length === 6);
      const bodies = c.text().split(/HTTP\/1\.1 200 OK/).slice(1).map((r) => r.slice(r.indexOf('\r\n\r\n') + 4));
      expect(bodies).toEqual(seen);
      expect(h.clientErrors).toEqual([]);
    });

    it('streams the body of an unknown method whose head was cut inside the method', async () => {
      const seen: string[] = [];
      const h = await start({}, echo(seen));
      const c = client(h.port);
      c.socket.setNoDelay(true);
      c.socket.write('MK');
      await new Promise((r) => setTimeout(r, 40));
      c.socket.write('TEA /pot HTTP/1.1\r\nHost: a\r\nContent-Length: 6\r\n\r\nEarl');
      await new Promise((r) => setTimeout(r, 40));
      c.socket.write(' G');
      await until(() => seen.length === 1);
      expect(seen).toEqual(['MKTEA /pot [Earl G]']);
    });

    it.each([
      ['a byte outside A-Z _ -', ['BR3W /x HTTP/1.1\r\nHost: a\r\n\r\n']],
      ['lower case (nginx refuses it too)', ['brew /x HTTP/1.1\r\nHost: a\r\n\r\n']],
      ['mixed case', ['Brew /x HTTP/1.1\r\nHost: a\r\n\r\n']],
      ['a tab after it', ['BREW\t/x HTTP/1.1\r\nHost: a\r\n\r\n']],
      ['a space before it', [' BREW /x HTTP/1.1\r\nHost: a\r\n\r\n']],
      ['a bad byte in a later read', ['BR', 'E(W /x HTTP/1.1\r\nHost: a\r\n\r\n']],
      ['a line end right after it, in a later read', ['BREW', '\r\n\r\n']],
      ['behind a request', ['GET /a HTTP/1.1\r\nHost: a\r\n\r\nBR{W /x HTTP/1.1\r\nHost: a\r\n\r\n']],
    ])('still refuses a method nginx refuses, after one it takes: %s', async (_name, reads) => {
      const h = await start();
      const c = client(h.port);
      c.socket.setNoDelay(true);
      c.socket.write('BREW /ok HTTP/1.1\r\nHost: a\r\n\r\n');
      await until(() => c.text().endsWith('BREW /ok'));
      for (const read of reads) {
        c.socket.write(read);
        await new Promise((r) => setTimeout(r, 40));
      }
      await c.closed;
      expect(h.clientErrors).toEqual(['HPE_INVALID_METHOD']);
      expect(h.rejections).toEqual([400]);
      expect(h.requests.map((r) => r.req.method)).toEqual(reads[0].startsWith('GET') ? ['BREW', 'GET'] : ['BREW']);
    });

    it('refuses an RTSP request line (llhttp parses it, nginx does not): 400, nothing handed out', async () => {
      const h = await start();
      const c = client(h.port);
      c.socket.write('PLAY /x RTSP/1.0\r\nCSeq: 1\r\n\r\n');
      await c.closed;
      expect(h.clientErrors).toEqual(['HPE_CB_HEADERS_COMPLETE']);
      expect(h.rejections).toEqual([400]);
      expect(h.requests).toHaveLength(0);
    });

    it('tells an oversized request line (414) from oversized headers (400) behind an unknown method, as behind a known one', async () => {
      const h = await start({ maxHeaderSize: 8192 });
      const heads: Array<[string[], number]> = [
        [[`${'B'.repeat(3000)} /x HTTP/1.1\r\nHost: a\r\n\r\n`], 414],
        [['B'.repeat(1500), 'B'.repeat(1500)], 414],
        [[`BREW /${'a'.repeat(9000)} HTTP/1.1\r\nHost: a\r\n\r\n`], 414],
        [[`BREW /x HTTP/1.1\r\nHost: a\r\nX-Big: ${'b'.repeat(9000)}\r\n\r\n`], 400],
      ];
      for (const [reads] of heads) {
        const c = client(h.port);
        c.socket.setNoDelay(true);
        for (const read of reads) {
          c.socket.write(read);
          await new Promise((r) => setTimeout(r, 40));
        }
        await c.closed;
      }
      expect(h.clientErrors).toEqual(heads.map(() => 'HPE_HEADER_OVERFLOW'));
      expect(h.rejections).toEqual(heads.map((x) => x[1]));
      expect(h.requests).toHaveLength(0);
    });

    it('refuses a request cut short inside an unknown method, as one cut inside a known one', async () => {
      const h = await start();
      for (const part of ['BR', 'GE']) {
        const c = client(h.port);
        c.socket.write(part);
        await new Promise((r) => setTimeout(r, 40));
        c.socket.end();
        await c.closed;
      }
      expect(h.clientErrors).toEqual(['HPE_INVALID_EOF_STATE', 'HPE_INVALID_EOF_STATE']);
    });
  });

  it('hands an upgrade over with the bytes read past its head', async () => {
    const h = await start();
    const c = client(h.port);
    c.socket.write('GET /ws HTTP/1.1\r\nHost: a\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nFRAME');
    await until(() => h.upgrades.length === 1);
    expect(h.upgrades[0].req.url).toBe('/ws');
    expect(h.upgrades[0].head).toBe('FRAME');
    expect(h.requests).toHaveLength(0);
  });
});
