// nginx's client_body_timeout and send_timeout for Node HTTP servers (HTTP/1, HTTPS, HTTP/2 with its HTTP/1
// fallback). Both are idle timeouts: the time between two successful reads of a body, or two successful writes
// to a client. Like nginx, a stalled body or a client that stops reading gets its connection closed with no
// response; the access log records 408 for the body case (the status nginx logs).
import type { EventEmitter } from 'node:events';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { Socket } from 'node:net';
import { isHttp2Request } from './http-version';

export interface ClientTimeouts {
  /** ms without a byte of a request body still expected (nginx client_body_timeout). */
  readonly bodyMs: number;
  /** ms without progress while response bytes wait for the client (nginx send_timeout). */
  readonly sendMs: number;
}

const kSending = Symbol('tollgate.sendPhase');
type GuardedSocket = Socket & { [kSending]?: boolean; _httpMessage?: (ServerResponse & { req?: IncomingMessage }) | null };
type AnyRequest = IncomingMessage | Http2ServerRequest;
type AnyResponse = ServerResponse | Http2ServerResponse;

/** A body read that timed out: recorded as 408, then the connection (HTTP/1) or stream (HTTP/2) is cut. */
function cutStalledBody(res: AnyResponse): void {
  if (!res.headersSent) res.statusCode = 408;
  res.destroy();
}

/**
 * The body is not read because we stopped consuming it (backpressure from a slow upstream): its buffer is full.
 * A stalled client leaves it below the high-water mark, whatever way the consumer reads.
 */
function heldByUs(req: AnyRequest): boolean {
  return req.readableLength >= req.readableHighWaterMark;
}

/** Bytes waiting in the socket's libuv write queue, written to the handle past net.Socket's Writable (the proxy's last write of a response). */
function queuedInHandle(socket: Socket): boolean {
  const handle = (socket as Socket & { _handle?: { writeQueueSize?: number } | null })._handle;
  return (handle?.writeQueueSize ?? 0) > 0;
}

function onSocketTimeout(this: ClientTimeouts, socket: GuardedSocket): void {
  if (!(socket instanceof Socket)) {
    // an HTTP/2 session's own timeout: what Node does when nobody listens
    (socket as { destroy(): void }).destroy();
    return;
  }
  const res = socket._httpMessage;
  const req = res?.req;
  if (!res || !req || res.writableFinished) {
    // between requests: keep-alive idle expiry (Node's keepAliveTimeout arms the same timer)
    socket.destroy();
    return;
  }
  if (!req.complete) {
    if (heldByUs(req)) socket.setTimeout(this.bodyMs);
    else cutStalledBody(res);
    return;
  }
  if (socket[kSending] && (socket.writableLength > 0 || queuedInHandle(socket))) {
    socket.destroy();
    return;
  }
  // request read; the response waits on the upstream or is moving: watch writes from now on
  socket[kSending] = true;
  socket.setTimeout(this.sendMs);
}

function watchHttp2Stream(t: ClientTimeouts, req: Http2ServerRequest, res: Http2ServerResponse): void {
  const stream = req.stream;
  let sending = false;
  stream.setTimeout(t.bodyMs, () => {
    if (stream.destroyed) return;
    if (!req.complete && !heldByUs(req)) return cutStalledBody(res);
    if (sending && stream.writableLength > 0) return void stream.destroy();
    sending = req.complete;
    stream.setTimeout(sending ? t.sendMs : t.bodyMs);
  });
}

/**
 * Arms the timeouts on every request of `server`. The server's 'timeout' listener replaces Node's default
 * (destroy on any socket timeout), which would also cut a client that waits for a slow upstream.
 */
export function enforceClientTimeouts(server: EventEmitter, t: ClientTimeouts): void {
  if (!(t.bodyMs > 0) || !(t.sendMs > 0)) return;
  server.prependListener('request', (req: AnyRequest, res: AnyResponse) => {
    if (isHttp2Request(req)) return watchHttp2Stream(t, req, res as Http2ServerResponse);
    startClientTimeout(req.socket as Socket, t);
  });
  server.on('timeout', onSocketTimeout.bind(t));
}

/** Whether `t` is enforced at all (both timeouts set). */
export function clientTimeoutsOn(t: ClientTimeouts): boolean {
  return t.bodyMs > 0 && t.sendMs > 0;
}

/** A request's head was read on this HTTP/1 socket: its body (then its response) is watched from now on. */
export function startClientTimeout(socket: Socket, t: ClientTimeouts, arm = true): void {
  (socket as GuardedSocket)[kSending] = false;
  // `arm` false: the socket's timer already runs at bodyMs (restarted by every read)
  if (arm) socket.setTimeout(t.bodyMs);
}

/** The socket of a request in progress timed out (see startClientTimeout): what nginx does for a body or a send. */
export function clientSocketTimedOut(t: ClientTimeouts, socket: Socket): void {
  onSocketTimeout.call(t, socket as GuardedSocket);
}
