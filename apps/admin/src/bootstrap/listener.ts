import * as http from 'node:http';
import * as http2 from 'node:http2';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import type { TLSSocket, TlsOptions } from 'node:tls';
import type { ListenEntry } from '@tollgate/config';
import { enforceClientTimeouts, isHttp2Request, meterRequestLines, missingHost, requestLineLimit, unsupportedHttpVersion, type ClientTimeouts } from '@tollgate/errors';
import { adminClientErrorHandler, adminConnectHandler, refuseHttpVersion, refuseMissingHost } from './client-errors';
import type { ConnectionStats } from './connection-stats';
import type { RequestFailure } from './request-failure';

type RequestHandler = (req: http.IncomingMessage, res: http.ServerResponse) => void;

export interface OpenListener {
  readonly key: 'admin_listen';
  readonly listener: string;
  readonly address: string;
  readonly port: number;
  /** Stops accepting, lets in-flight requests finish, then forces the rest closed after `timeoutMs`. */
  close(timeoutMs: number): Promise<void>;
}

export interface ListenerOptions {
  readonly entry: ListenEntry;
  readonly handler: RequestHandler;
  readonly tls?: TlsOptions;
  readonly stats: ConnectionStats;
  /** client_header_timeout, client_body_timeout and send_timeout (ms). */
  readonly timeouts: ClientTimeouts & { readonly headerMs: number };
  /** Last line of defence: a throw that escapes `handler` answers 500 for its request only. */
  readonly fail: RequestFailure;
}

/** Node's default header budget (16 KiB) stays; its request line gets nginx's quarter of it. */
const MAX_HEADER_SIZE = 16 * 1024;

/** Opens one `admin_listen` entry: plain HTTP/1.1, HTTPS, or HTTP/2 over TLS with ALPN fallback to HTTP/1.1. */
export async function openListener({ entry, handler, tls, stats, timeouts, fail }: ListenerOptions): Promise<OpenListener> {
  const sockets = new Map<Socket, number>(); // socket -> requests in flight (HTTP/1 only)
  const sessions = new Set<http2.Http2Session>();
  let closing = false;

  const onRequest: RequestHandler = (req, res) => {
    stats.requestStarted();
    const socket = isHttp2Request(req) ? null : req.socket;
    if (socket) sockets.set(socket, (sockets.get(socket) ?? 0) + 1);
    res.once('close', () => {
      stats.requestFinished();
      if (!socket) return;
      const inFlight = (sockets.get(socket) ?? 1) - 1;
      sockets.set(socket, inFlight);
      if (closing && inFlight === 0) socket.destroy();
    });
    if (closing && socket && !res.headersSent) res.setHeader('Connection', 'close');
    try {
      if (unsupportedHttpVersion(req)) refuseHttpVersion(req, res);
      else if (missingHost(req)) refuseMissingHost(req, res);
      else handler(req, res);
    } catch (err) {
      fail(req, res, err);
    }
  };

  const server = createServer(entry, onRequest, tls);
  server.on('clientError', adminClientErrorHandler(requestLineLimit(MAX_HEADER_SIZE)));
  meterRequestLines(server);
  server.on('connect', adminConnectHandler);
  enforceClientTimeouts(server, { bodyMs: timeouts.bodyMs, sendMs: timeouts.sendMs });
  if (!(entry.ssl && entry.http2)) {
    // (an HTTP/2 server has no HTTP/1 header clock; its HTTP/1 fallback keeps Node's)
    const h1 = server as http.Server;
    if (timeouts.headerMs > 0) h1.headersTimeout = timeouts.headerMs;
    if (timeouts.bodyMs > 0) h1.requestTimeout = 0; // bodies are bounded by client_body_timeout, between reads, as nginx does
  }
  server.on('connection', (socket: Socket) => {
    stats.connectionOpened();
    applyKeepalive(socket, entry.soKeepalive);
    socket.once('close', () => stats.connectionClosed());
  });
  // Track the socket requests arrive on (the TLS socket for ssl listeners) to close idle ones on shutdown.
  server.on(entry.ssl ? 'secureConnection' : 'connection', (socket: Socket) => {
    sockets.set(socket, 0);
    socket.once('close', () => sockets.delete(socket));
  });
  if (entry.ssl && entry.http2) {
    (server as http2.Http2SecureServer).on('session', (session: http2.Http2Session) => {
      sessions.add(session);
      session.once('close', () => sessions.delete(session));
    });
  }

  await listen(server, entry);
  const bound = server.address();
  const port = bound && typeof bound === 'object' ? bound.port : entry.port;

  return {
    key: 'admin_listen',
    listener: entry.listener,
    address: entry.ip,
    port,
    async close(timeoutMs: number) {
      closing = true;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      for (const session of sessions) session.close();
      for (const [socket, inFlight] of sockets) if (inFlight === 0 && (socket as TLSSocket).alpnProtocol !== 'h2') socket.destroy();
      let timer: NodeJS.Timeout | undefined;
      const timedOut = new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          for (const session of sessions) session.destroy();
          for (const socket of sockets.keys()) socket.destroy();
          resolve();
        }, timeoutMs);
      });
      await Promise.race([closed, timedOut]);
      clearTimeout(timer);
      await closed;
    },
  };
}

function createServer(entry: ListenEntry, onRequest: RequestHandler, tls?: TlsOptions): http.Server | https.Server | http2.Http2SecureServer {
  // requireHostHeader: Node would refuse a request without Host with an empty body; onRequest answers it in JSON
  const checking = { connectionsCheckingInterval: 250, maxHeaderSize: MAX_HEADER_SIZE, requireHostHeader: false };
  if (!entry.ssl) return http.createServer(checking, onRequest);
  if (!tls) throw new Error(`admin_listen: no TLS material for ${entry.listener}`);
  if (entry.http2) {
    return http2.createSecureServer({ ...tls, allowHTTP1: true, ALPNProtocols: ['h2', 'http/1.1'] }, onRequest as never);
  }
  return https.createServer({ ...tls, ...checking, ALPNProtocols: ['http/1.1'] }, onRequest);
}

function listen(server: http.Server | https.Server | http2.Http2SecureServer, entry: ListenEntry): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      const reason = err.code === 'EADDRINUSE' ? 'address already in use' : err.code === 'EACCES' ? 'permission denied' : err.message;
      reject(new Error(`admin_listen: cannot listen on ${entry.ip}:${entry.port} (${entry.listener}): ${reason}`, { cause: err }));
    };
    server.once('error', onError);
    server.listen({ host: entry.ip, port: entry.port, backlog: entry.backlog, ipv6Only: entry.ipv6only === true }, () => {
      server.off('error', onError);
      resolve();
    });
  });
}

function applyKeepalive(socket: Socket, option: ListenEntry['soKeepalive']): void {
  if (option === undefined || option === false) return;
  // Node exposes only the idle time; interval and count stay at the OS defaults.
  const idleMs = typeof option === 'object' && option.idle !== undefined ? option.idle * 1000 : 0;
  socket.setKeepAlive(true, idleMs);
}
