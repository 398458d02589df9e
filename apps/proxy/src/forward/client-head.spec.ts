import { createServer, ServerResponse, type IncomingMessage, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { endClientResponse, fastClientHead, writeClientHead, validFields } from './client-head';

const DATE = ['Date', 'Mon, 07 Dec 2026 00:00:00 GMT'];

/** A ServerResponse as node:http builds it for a request, without a socket. */
function response(version: '1.0' | '1.1', method: string, keepAlive: boolean): ServerResponse {
  const [major, minor] = version.split('.').map(Number);
  const res = new ServerResponse({ method, httpVersionMajor: major, httpVersionMinor: minor, headers: {} } as never);
  res.shouldKeepAlive = keepAlive;
  (res as unknown as { _keepAliveTimeout: number })._keepAliveTimeout = 75000;
  return res;
}

const STATE = ['_header', '_last', '_contentLength', 'chunkedEncoding', 'statusCode', 'statusMessage', 'shouldKeepAlive', '_hasBody', 'headersSent'] as const;
const stateOf = (res: ServerResponse) => Object.fromEntries(STATE.map((k) => [k, (res as unknown as Record<string, unknown>)[k]]));

describe('writeClientHead', () => {
  it('is on for this Node release (its heads agree with writeHead)', () => {
    expect(fastClientHead).toBe(true);
  });

  it.each([
    ['a length, keep-alive', '1.1', 'GET', true, 200, [...DATE, 'Content-Type', 'text/plain', 'Content-Length', '2']],
    ['no length: chunked', '1.1', 'GET', true, 200, [...DATE, 'X-A', 'b']],
    ['HEAD with a length', '1.1', 'HEAD', true, 200, [...DATE, 'Content-Length', '10']],
    ['HEAD without a length', '1.1', 'HEAD', true, 200, [...DATE]],
    ['HTTP/1.0: close', '1.0', 'GET', false, 200, [...DATE, 'Content-Length', '3']],
    ['HTTP/1.0 without a length', '1.0', 'GET', false, 502, [...DATE, 'Server', 'x']],
    ['not kept alive', '1.1', 'GET', false, 404, [...DATE, 'content-length', '0']],
    ['an unknown status', '1.1', 'GET', true, 599, [...DATE, 'Content-Length', '0']],
    ['Connection: close (draining): writeHead', '1.1', 'GET', true, 200, [...DATE, 'Content-Length', '2', 'Connection', 'close']],
    ['Trailer: writeHead', '1.1', 'GET', true, 200, [...DATE, 'Trailer', 'X-T']],
    ['Transfer-Encoding: writeHead', '1.1', 'GET', true, 200, [...DATE, 'Transfer-Encoding', 'chunked']],
    ['Keep-Alive: writeHead', '1.1', 'GET', true, 200, [...DATE, 'Content-Length', '2', 'Keep-Alive', 'timeout=5']],
    ['Content-Disposition: writeHead', '1.1', 'GET', true, 200, [...DATE, 'Content-Length', '2', 'Content-Disposition', 'attachment']],
    ['204: writeHead', '1.1', 'GET', true, 204, [...DATE]],
    ['304: writeHead', '1.1', 'GET', true, 304, [...DATE, 'ETag', '"x"']],
  ] as const)('%s: the same head and state as writeHead', (_name, version, method, keepAlive, status, fields) => {
    const ours = response(version, method, keepAlive);
    const node = response(version, method, keepAlive);
    writeClientHead(ours, status, [...fields]);
    node.writeHead(status, [...fields] as unknown as Record<string, string>);
    expect(stateOf(ours)).toEqual(stateOf(node));
  });

  it('adds the Date Node adds when the upstream sent none', () => {
    const res = response('1.1', 'GET', true);
    writeClientHead(res, 200, ['Content-Length', '0']);
    expect((res as unknown as { _header: string })._header).toMatch(/\r\nDate: \w{3}, \d{2} \w{3} \d{4} \d{2}:\d{2}:\d{2} GMT\r\n/);
  });

  it('leaves a response whose headers were set through setHeader to writeHead', () => {
    const ours = response('1.1', 'GET', true);
    const node = response('1.1', 'GET', true);
    for (const res of [ours, node]) res.setHeader('X-Set', 'early');
    writeClientHead(ours, 200, [...DATE, 'Content-Length', '0']);
    node.writeHead(200, [...DATE, 'Content-Length', '0'] as unknown as Record<string, string>);
    expect(stateOf(ours)).toEqual(stateOf(node));
  });
});

describe('endClientResponse', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    // /fast: writeClientHead + endClientResponse; anything else: writeHead + end, the bytes to compare with
    server = createServer((req: IncomingMessage, res: ServerResponse) => {
      const size = Number(new URL(req.url!, 'http://x').searchParams.get('size') ?? '2');
      const body = Buffer.alloc(size, 0xe9); // latin1 bytes above 0x7f survive the string write
      const fields = [...DATE, 'Content-Type', 'text/plain', 'Content-Length', String(size)];
      if (req.url!.startsWith('/fast')) {
        writeClientHead(res, 200, fields);
        endClientResponse(res, body);
      } else {
        res.writeHead(200, fields as unknown as Record<string, string>);
        res.end(body);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  /** Raw bytes of the answers to `requests` sent one after the other on one connection (until `close`). */
  function exchange(requests: string[]): Promise<string> {
    return new Promise((resolve, reject) => {
      const socket = connect(port, '127.0.0.1');
      let got = '';
      let answered = 0;
      socket.setEncoding('latin1');
      socket.on('connect', () => socket.write(requests[0]));
      socket.on('data', (chunk: string) => {
        got += chunk;
        // each answer ends with its body; Content-Length says when
        const heads = got.split(/HTTP\/1\.1 /).length - 1;
        if (heads > answered && /\r\n\r\n/.test(got.slice(got.lastIndexOf('HTTP/1.1 ')))) {
          const last = got.slice(got.lastIndexOf('HTTP/1.1 '));
          const length = Number(/Content-Length: (\d+)/.exec(last)![1]);
          if (last.length - last.indexOf('\r\n\r\n') - 4 < length) return;
          answered = heads;
          if (answered < requests.length) socket.write(requests[answered]);
          else socket.end();
        }
      });
      socket.on('end', () => resolve(got));
      socket.on('error', reject);
    });
  }

  it.each([
    ['two keep-alive requests, a small body', ['GET /fast HTTP/1.1\r\nHost: a\r\n\r\n', 'GET /fast HTTP/1.1\r\nHost: a\r\n\r\n']],
    ['a body above the joined size (res.end)', ['GET /fast?size=40000 HTTP/1.1\r\nHost: a\r\n\r\n', 'GET /fast?size=3 HTTP/1.1\r\nHost: a\r\n\r\n']],
    ['HTTP/1.0 (connection closes)', ['GET /fast HTTP/1.0\r\nHost: a\r\n\r\n']],
    ['HEAD', ['HEAD /fast?size=0 HTTP/1.1\r\nHost: a\r\n\r\n', 'GET /fast HTTP/1.1\r\nHost: a\r\n\r\n']],
  ])('%s: the same bytes as writeHead and end', async (_name, requests) => {
    const fast = await exchange(requests as string[]);
    const plain = await exchange((requests as string[]).map((r) => r.replace('/fast', '/plain')));
    expect(fast).toEqual(plain);
    expect(fast.split('HTTP/1.1 200 OK').length - 1).toBe(requests.length);
  });
});

describe('validFields: the syntax writeHead checks, for fields plugins set', () => {
  it.each([
    [['X-RateLimit-Limit-Minute', '5', 'Via', '1.1 tollgate'], true],
    [['X-Tab', 'a\tb', 'X-Latin1', 'caf\u00e9'], true],
    [['X-Split', 'a\r\nSet-Cookie: x=1'], false],
    [['X-Lf', 'a\nb'], false],
    [['X-Del', 'a\u007fb'], false],
    [['X-Wide', 'snow\u2603man'], false],
    [['Bad Name', 'v'], false],
    [['', 'v'], false],
    [['X-\u00e9', 'v'], false],
  ])('%j -> %s', (fields, ok) => {
    expect(validFields(fields)).toBe(ok);
  });

  it('tests only the fields from `from` on (the upstream\'s, before them, the parser checked)', () => {
    expect(validFields(['Bad Name', 'v', 'X-RateLimit-Limit-Minute', '5'], 2)).toBe(true);
    expect(validFields(['Via', 'x', 'X-Split', 'a\r\nSet-Cookie: x=1'], 2)).toBe(false);
    expect(validFields(['Via', 'x'], 2)).toBe(true);
  });
});
