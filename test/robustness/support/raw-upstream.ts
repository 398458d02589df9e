// An upstream written with `net`, so it can answer what no HTTP library would write: 304/204 with a
// Content-Length, 1xx before the final response, broken status lines, short or truncated bodies, resets. The
// answer is chosen by the request path's last segment (a key of RESPONSES); anything else gets `200 ok`.
import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';

type Behaviour = string | ((socket: Socket) => void);

const early = (n: number) => 'HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload\r\n\r\n'.repeat(n);
const OK = 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok';

export const RESPONSES: Readonly<Record<string, Behaviour>> = {
  'ok': OK,
  '304-with-length': 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nContent-Length: 1234\r\nConnection: close\r\n\r\n',
  '204-with-length': 'HTTP/1.1 204 No Content\r\nContent-Length: 5\r\nConnection: close\r\n\r\n',
  '304-with-body': 'HTTP/1.1 304 Not Modified\r\nETag: "v1"\r\nConnection: close\r\n\r\nthis body must not reach the client',
  '204-with-body': 'HTTP/1.1 204 No Content\r\nConnection: close\r\n\r\nthis body must not reach the client',
  'early-hints': `${early(1)}${OK}`,
  '1xx-flood': `${early(200)}${OK}`,
  'bad-status-line': 'HTTP/1.1 abc Nope\r\nContent-Length: 2\r\n\r\nok',
  'not-http': 'hello there\r\n\r\n',
  'cl-and-te': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n2\r\nok\r\n0\r\n\r\n',
  'double-cl': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 5\r\n\r\nok',
  'short-body': 'HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nonly this',
  'long-body': 'HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\nokAND-MORE-THAN-ANNOUNCED',
  'truncated-chunked': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab',
  'bad-chunk-size': 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nabc\r\n0\r\n\r\n',
  'header-injection': 'HTTP/1.1 200 OK\r\nX-A: a\rb\r\nContent-Length: 2\r\n\r\nok',
  'reset': (socket) => socket.resetAndDestroy(),
  'close-no-answer': (socket) => socket.end(),
  // never answers: the request (and its body) stays with the gateway
  'hold': () => undefined,
};

export interface RawUpstream {
  readonly port: number;
  readonly server: Server;
  /** Paths requested, in order. */
  readonly seen: string[];
  close(): Promise<void>;
}

export async function startRawUpstream(): Promise<RawUpstream> {
  const seen: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    let head = '';
    const onData = (chunk: Buffer) => {
      head += chunk.toString('latin1');
      if (!head.includes('\r\n\r\n')) return;
      socket.off('data', onData);
      const path = /^[A-Z]+ (\S+)/.exec(head)?.[1] ?? '/';
      seen.push(path);
      const key = path.split('?')[0].split('/').pop() ?? '';
      const behaviour = RESPONSES[key] ?? OK;
      if (typeof behaviour === 'function') return behaviour(socket);
      socket.end(behaviour);
    };
    socket.on('data', onData);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as AddressInfo).port,
    server,
    seen,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
