// Targets that answer every protocol the pipeline forwards on one address (HTTP/1.1 requests, WebSocket upgrades
// and h2c gRPC), and the clients that reach them through the proxy: a WebSocket handshake and a unary gRPC call.
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { connect as h2connect, createServer as createH2Server, type IncomingHttpHeaders } from 'node:http2';
import { connect as netConnect, createServer as createNetServer, type AddressInfo, type Server as NetServer } from 'node:net';
import { rawExchange } from './client';

export interface Target {
  readonly name: string;
  readonly ip: string;
  readonly port: number;
  /** gRPC calls the target received (its h2 streams). */
  readonly grpcCalls: number;
  close(): Promise<void>;
}

const listen = (server: HttpServer | NetServer | ReturnType<typeof createH2Server>, port: number, ip: string) =>
  new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, ip, () => resolve((server.address() as AddressInfo).port));
  });

/** A gRPC message: the 5-byte length prefix and the payload. */
export const grpcFrame = (payload: string): Buffer => {
  const body = Buffer.from(payload);
  const head = Buffer.alloc(5);
  head.writeUInt32BE(body.length, 1);
  return Buffer.concat([head, body]);
};

/**
 * One address serving HTTP/1.1 (requests and upgrades) and h2c: the first bytes say which server gets the
 * connection. Every answer says which target it is and what Host it was sent; an upgrade of a path ending in
 * `/refuse` gets a 403. A gRPC call gets the message
 * `reply from <name>` and grpc-status 0 as a trailer, or, on a path ending in `/Unimplemented`, a trailers-only
 * grpc-status 12.
 */
export async function startTarget(name: string, ip = '127.0.0.1', port = 0): Promise<Target> {
  let grpcCalls = 0;
  const h1 = createHttpServer((req, res) => {
    res.writeHead(200, { 'x-target': name, 'x-host': req.headers.host ?? '' });
    res.end(name);
  });
  h1.on('upgrade', (req, socket) => {
    socket.on('error', () => undefined);
    if (req.url?.endsWith('/refuse')) return socket.end(`HTTP/1.1 403 Forbidden\r\nContent-Length: 4\r\nX-Target: ${name}\r\n\r\nnope`);
    socket.end(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nX-Target: ${name}\r\nX-Host: ${req.headers.host}\r\n\r\n`);
  });
  const h2 = createH2Server();
  h2.on('stream', (stream, headers) => {
    grpcCalls++;
    const tags = { 'content-type': 'application/grpc', 'x-target': name, 'x-host': String(headers[':authority']) };
    stream.resume();
    if (String(headers[':path']).endsWith('/Unimplemented')) {
      stream.respond({ ':status': 200, ...tags, 'grpc-status': '12', 'grpc-message': 'unimplemented' }, { endStream: true });
      return;
    }
    stream.respond({ ':status': 200, ...tags }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
    stream.on('end', () => stream.end(grpcFrame(`reply from ${name}`)));
  });
  const h1Port = await listen(h1, 0, '127.0.0.1');
  const h2Port = await listen(h2, 0, '127.0.0.1');
  const front = createNetServer((client) => {
    client.on('error', () => undefined);
    client.once('data', (first: Buffer) => {
      client.pause();
      const inner = netConnect(first.toString('latin1', 0, 3) === 'PRI' ? h2Port : h1Port, '127.0.0.1', () => {
        inner.write(first);
        client.pipe(inner);
        inner.pipe(client);
      });
      inner.on('error', () => client.destroy());
      client.on('close', () => inner.destroy());
    });
  });
  const bound = await listen(front, port, ip);
  return {
    name,
    ip,
    port: bound,
    get grpcCalls() {
      return grpcCalls;
    },
    close: async () => {
      h1.closeAllConnections();
      await Promise.all([
        new Promise<void>((r) => front.close(() => r())),
        new Promise<void>((r) => h1.close(() => r())),
        new Promise<void>((r) => h2.close(() => r())),
      ]);
    },
  };
}

/** A WebSocket handshake through the proxy: the status line and headers of the answer. */
export async function upgrade(port: number, path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string> }> {
  let text = `GET ${path} HTTP/1.1\r\nHost: ws.test\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n`;
  for (const [k, v] of Object.entries(headers)) text += `${k}: ${v}\r\n`;
  const answer = await rawExchange(port, `${text}\r\n`);
  const [head] = answer.split('\r\n\r\n');
  const [statusLine, ...lines] = head.split('\r\n');
  const out: Record<string, string> = {};
  for (const line of lines) {
    const colon = line.indexOf(':');
    out[line.slice(0, colon).toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { status: Number(statusLine.split(' ')[1]), headers: out };
}

export interface GrpcReply {
  readonly headers: IncomingHttpHeaders;
  readonly trailers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** A unary gRPC call through the proxy (h2c): the response headers, trailers and body. `headers` replace the call's
 *  own (a content-type that is not gRPC's, say). */
export function grpcCall(port: number, path: string, message = 'hello', headers: Record<string, string> = {}): Promise<GrpcReply> {
  const session = h2connect(`http://127.0.0.1:${port}`);
  // a reset after the call ended must not surface as an uncaught error; one before it fails the stream
  session.on('error', () => undefined);
  return new Promise((resolve, reject) => {
    const stream = session.request({ ':method': 'POST', ':path': path, 'content-type': 'application/grpc', te: 'trailers', ...headers });
    let replyHeaders: IncomingHttpHeaders = {};
    let trailers: IncomingHttpHeaders = {};
    const parts: Buffer[] = [];
    stream.on('response', (h) => (replyHeaders = h));
    stream.on('trailers', (h) => (trailers = h));
    stream.on('data', (chunk: Buffer) => parts.push(chunk));
    stream.on('end', () => {
      session.close();
      resolve({ headers: replyHeaders, trailers, body: Buffer.concat(parts) });
    });
    stream.on('error', (err) => {
      session.close();
      reject(err);
    });
    stream.end(grpcFrame(message));
  });
}

/** A port nothing listens on: connecting to it is refused. */
export async function refusedPort(): Promise<number> {
  const server = createNetServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}
