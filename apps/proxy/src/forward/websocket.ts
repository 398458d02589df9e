// WebSocket (any Upgrade) proxying on http/https routes (kong-data-plane.md §2.6): the upgrade request goes
// upstream with `Connection: keep-alive, Upgrade`; after the 101 both sockets are piped raw, and the service's
// read/write timeouts act as idle timeouts.
import { request as httpRequest, ServerResponse, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { PROXY_ERRORS } from '@tollgate/errors';
import { resolveUpstreamPath } from '@tollgate/router';
import type { TLSSocket } from 'node:tls';
import { clientOf, originalDestinationOf } from './client-info';
import type { ProxyContext } from './context';
import { buildDownstreamHeaders } from './downstream-headers';
import { viaFor } from './identity';
import { writeRawError } from './raw-response';
import { nextRequestId } from './request-id';
import { buildUpstreamHeaders, type UpstreamHeaders } from './upstream-headers';
import { applyRequestHeaderChanges, runAccessPhases, type PluginRun } from '@tollgate/plugins';
import { startPluginRun, writePluginExit } from './plugin-phase';
import type { HttpMatch } from '@tollgate/router/types';
import type { CompiledRoute, CompiledService } from '../compile/types';
import type { Peer } from '../upstream/types';

export interface UpgradeListener {
  readonly scheme: 'http' | 'https';
  readonly port: number;
}

export function createUpgradeHandler(ctx: ProxyContext, listener: UpgradeListener) {
  return function onUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    try {
      proxyUpgrade(ctx, listener, req, socket as Socket, head);
    } catch (err) {
      ctx.logger.error({ err: (err as Error).stack }, 'unexpected error while proxying an upgrade');
      socket.destroy();
    }
  };
}

function proxyUpgrade(ctx: ProxyContext, listener: UpgradeListener, req: IncomingMessage, socket: Socket, head: Buffer): void {
  const startedAt = performance.now();
  const cfg = ctx.runtime.current;
  const requestId = nextRequestId();
  socket.on('error', () => socket.destroy());
  const url = req.url!;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const match = cfg.router.match({
    protocol: listener.scheme,
    method: req.method!,
    host: req.headers.host ?? '',
    path: rawPath,
    headers: req.headers,
    sni: listener.scheme === 'https' ? (socket as TLSSocket).servername || undefined : undefined,
    port: originalDestinationOf(req.socket)?.port ?? listener.port,
  });
  const accept = req.headers.accept;
  if (match === null) return writeRawError(socket, 404, PROXY_ERRORS.NO_ROUTE.message, accept, requestId, ctx.flags);
  const route = cfg.routes.get(match.route.id)!;
  if (route.httpsOnly && listener.scheme !== 'https') return writeRawError(socket, 426, PROXY_ERRORS.HTTPS_REQUIRED.message, accept, requestId, ctx.flags);
  const service = route.service;
  if (service === null) return writeRawError(socket, 503, PROXY_ERRORS.NO_SERVICE.message, accept, requestId, ctx.flags);

  const client = clientOf(ctx, req);
  const clientIp = client.trusted && ctx.trust.headerName !== null ? ctx.trust.realIp(client.peerIp, true, req.headers[ctx.trust.headerName]) : client.peerIp;
  const up = buildUpstreamHeaders(req, {
    scheme: listener.scheme,
    listenPort: String(listener.port),
    peerIp: client.peerIp,
    clientIp,
    trusted: client.trusted,
    prefix: route.stripPath && match.matchedPath !== null && match.matchedPath !== '/' ? match.matchedPath : null,
    rawPath,
    via: viaFor(req.httpVersion),
    requestId: ctx.flags.upstreamRequestId ? requestId : null,
  });
  // Other upgrades (h2c, ...) are not tunnelled: the request goes up without Upgrade.
  if (up.websocket) up.list.push('Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket');
  else up.list.push('Connection', 'keep-alive');
  if (up.chunked) up.list.push('Transfer-Encoding', 'chunked');
  const rawQuery = q === -1 ? '' : url.slice(q);
  const path = resolveUpstreamPath(match, service.path, rawQuery);
  if (route.plugins.length === 0) return tunnel(ctx, req, socket, head, route, service, match, clientIp, requestId, startedAt, up, path, accept);

  // An upgrade is a request like any other for the plugins: authentication, ACLs and rate limits must hold
  // before a tunnel opens. A ServerResponse bound to the raw socket lets a plugin's exit be written as usual.
  const res = new ServerResponse(req);
  res.assignSocket(socket);
  const run = startPluginRun(ctx, cfg.plugins!, route, req, res as never, requestId, startedAt, {
    protocol: listener.scheme, scheme: listener.scheme, host: req.headers.host ?? '', rawPath, upstreamPathWithQuery: path, rawQuery, clientIp,
  });
  const afterAccess = () => {
    if (run.response.exitResponse !== null) {
      res.once('finish', () => socket.end());
      return writePluginExit(ctx, req as never, res as never, run, requestId, startedAt);
    }
    res.detachSocket(socket);
    applyRequestHeaderChanges(run, up.list);
    tunnel(ctx, req, socket, head, route, service, match, clientIp, requestId, startedAt, up, path, accept, run);
  };
  const pending = runAccessPhases(run);
  if (pending === undefined) return afterAccess();
  pending.then(afterAccess, (err: unknown) => {
    ctx.logger.error({ err: (err as Error)?.stack ?? String(err) }, 'unexpected error while running plugins on an upgrade');
    writeRawError(socket, 500, PROXY_ERRORS.UNEXPECTED.message, accept, requestId, ctx.flags);
  });
}

/** Opens the upstream connection, relays the 101, then pipes both sockets. */
function tunnel(
  ctx: ProxyContext, req: IncomingMessage, socket: Socket, head: Buffer, route: CompiledRoute, service: CompiledService, match: HttpMatch,
  clientIp: string, requestId: string, startedAt: number, up: UpstreamHeaders, path: string, accept: string | undefined, run: PluginRun | null = null,
): void {
  let host = service.host;
  let port = service.port;
  let hostHeader = service.defaultHostHeader;
  let peer: Peer | null = null;
  if (service.upstream !== null) {
    peer = service.upstream.pick({ clientIp, headers: req.headers, path: match.path, query: null, captures: match.captures, consumerId: run?.consumer?.id ?? null, credentialId: null });
    if (peer === null) return writeRawError(socket, 503, PROXY_ERRORS.NO_PEER.message, accept, requestId, ctx.flags);
    host = peer.ip;
    port = peer.port;
    hostHeader = `${peer.hostHeader}:${port}`;
  }
  up.list[1] = route.preserveHost && up.clientHost !== undefined ? up.clientHost : hostHeader;
  const sentAt = performance.now();
  const upReq = (service.tls ? httpsRequest : httpRequest)({
    host,
    port,
    method: req.method,
    path,
    headers: up.list as never,
    setHost: false,
    agent: false,
    timeout: service.connectTimeout,
    ...(service.tlsOptions
      ? {
          rejectUnauthorized: service.tlsOptions.rejectUnauthorized,
          ca: service.tlsOptions.ca,
          cert: service.tlsOptions.cert,
          key: service.tlsOptions.key,
          ...(service.tlsOptions.checkServerIdentity ? { checkServerIdentity: service.tlsOptions.checkServerIdentity } : {}),
        }
      : {}),
  } as never);
  const release = () => {
    if (peer !== null) {
      service.upstream!.release(peer);
      peer = null;
    }
  };
  upReq.on('timeout', () => upReq.destroy(Object.assign(new Error('timeout'), { timedOut: true })));
  upReq.on('error', (err: Error & { timedOut?: boolean }) => {
    release();
    const e = err.timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
    writeRawError(socket, e.status, e.message, accept, requestId, ctx.flags);
  });
  upReq.on('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
    const headers = buildDownstreamHeaders(upRes.rawHeaders, upRes.statusCode!, {
      flags: ctx.flags,
      requestId,
      proxyLatency: Math.round(sentAt - startedAt),
      upstreamLatency: Math.round(performance.now() - sentAt),
      clientWantsTrailers: false,
      closeConnection: false,
      h2: false,
    });
    let text = `HTTP/1.1 101 ${upRes.statusMessage || 'Switching Protocols'}\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    text += `Connection: Upgrade\r\nUpgrade: ${upRes.headers.upgrade ?? 'websocket'}\r\n\r\n`;
    socket.write(text);
    if (upHead.length > 0) socket.write(upHead);
    if (head.length > 0) upSocket.write(head);
    const idle = Math.max(service.readTimeout, service.writeTimeout);
    upSocket.setTimeout(idle, () => upSocket.destroy());
    socket.setTimeout(idle, () => socket.destroy());
    upSocket.setNoDelay(true);
    // Either side finishing ends the tunnel (as nginx does); both sockets allow half-open, so close explicitly.
    const teardown = () => {
      release();
      socket.end();
      upSocket.end();
      socket.destroySoon?.();
      upSocket.destroySoon();
    };
    upSocket.on('error', () => socket.destroy());
    upSocket.on('end', teardown);
    upSocket.on('close', teardown);
    socket.on('end', teardown);
    socket.on('close', () => upSocket.destroy());
    ctx.tunnels.add(socket);
    socket.once('close', () => ctx.tunnels.delete(socket));
    upSocket.pipe(socket);
    socket.pipe(upSocket);
  });
  upReq.on('response', (upRes: IncomingMessage) => {
    // The upstream refused the upgrade: relay its answer and close.
    release();
    const headers = buildDownstreamHeaders(upRes.rawHeaders, upRes.statusCode!, {
      flags: ctx.flags,
      requestId,
      proxyLatency: Math.round(sentAt - startedAt),
      upstreamLatency: Math.round(performance.now() - sentAt),
      clientWantsTrailers: false,
      closeConnection: true,
      h2: false,
    });
    let text = `HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage ?? ''}\r\n`;
    for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
    const chunked = upRes.headers['content-length'] === undefined;
    if (chunked) text += 'Transfer-Encoding: chunked\r\n';
    socket.write(`${text}\r\n`);
    upRes.on('data', (chunk: Buffer) => {
      if (chunked) socket.write(`${chunk.length.toString(16)}\r\n`);
      socket.write(chunk);
      if (chunked) socket.write(CRLF);
    });
    upRes.on('end', () => (chunked ? socket.end('0\r\n\r\n') : socket.end()));
    upRes.on('error', () => socket.destroy());
  });
  if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) upReq.end();
  else req.pipe(upReq);
}

const CRLF = Buffer.from('\r\n');
