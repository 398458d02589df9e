// WebSocket (any Upgrade) proxying on http/https routes (kong-data-plane.md §2.6): the forward step of an upgrade
// request, which reached it through the same pipeline as every request (handler.ts). The request goes upstream
// with `Connection: keep-alive, Upgrade`; after the 101 both sockets are piped raw, and the service's
// read/write timeouts act as idle timeouts. A failed try is retried on the next target by the HTTP rule. The
// upstream's answer goes through header_filter; the log phase, the access line and the release stats are taken when
// the tunnel closes (nginx finalizes, and logs, an upgraded request then).
import { request as httpRequest, ServerResponse, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import { PROXY_ERRORS } from '@tollgate/errors';
import { runHeaderFilterOnList } from '@tollgate/plugins';
import type { UpstreamRuntime } from '../upstream/types';
import { tlsOptionsOf } from '../compile/compile-service';
import { NOT_CONNECTED_CODES, TIMEOUT_CODES, unresolvedServiceHost, upstreamError } from '../upstream-http/errors';
import { buildDownstreamHeaders } from './downstream-headers';
import { sendProxyError } from './errors';
import { mayRetry } from './exchange';
import { logAfterResponse } from './plugin-phase';
import { chooseTarget, emptyTarget, upstreamHostHeader, type RequestBalancerContext } from './target';
import { upstreamLookup } from '../upstream/dns-lookup';
import type { RequestState } from './request-state';

/**
 * The response of an upgrade request, bound to its raw socket until the upstream answers: refusals, redirects,
 * plugin exits and upstream errors are written as on any request. The connection closes after such an answer.
 * An answer relayed from upstream (the 101, or its refusal) is written straight to the socket; the response then
 * keeps its status and head size and still emits 'close' when the connection ends, so the access line and the
 * release stats see it as any other response (access-line.ts, handler.ts).
 */
export class UpgradeResponse extends ServerResponse {
  /** Bytes of the status line and headers relayed straight to the socket; 0 until then. */
  relayedHeadBytes = 0;
  /** ms until the upstream answered (the access line's proxy latency); -1 until then. */
  upstreamLatency = -1;

  constructor(req: IncomingMessage, readonly tunnelSocket: Socket, readonly head: Buffer) {
    super(req);
    this.shouldKeepAlive = false;
    this.assignSocket(tunnelSocket);
    this.once('finish', endSocket);
  }

  /** Takes the socket over to write the upstream's answer `head` (status `status`) itself. */
  relay(status: number, head: string): void {
    const socket = this.tunnelSocket;
    this.detachSocket(socket);
    this.statusCode = status;
    this.relayedHeadBytes = Buffer.byteLength(head, 'latin1');
    // nginx finalizes (and logs) an upgraded request when its connection closes
    socket.once('close', () => this.emit('close'));
    socket.write(head);
  }
}

function endSocket(this: UpgradeResponse): void {
  this.tunnelSocket.end();
}

/**
 * Opens the upstream connection, relays the 101, then pipes both sockets. A try that fails before any answer goes
 * on to the next target under the HTTP retry rule (exchange.ts mayRetry).
 */
export function tunnel(t: RequestState, res: UpgradeResponse, balancer: UpstreamRuntime | null, bctx: RequestBalancerContext | null): void {
  const { ctx, service, requestId, startedAt, up } = t;
  const req = t.req as IncomingMessage;
  const socket = res.tunnelSocket;
  const head = res.head;
  const run = t.run;
  // Other upgrades (h2c, ...) are not tunnelled: the request goes up without Upgrade.
  if (up.websocket) up.list.push('Connection', 'keep-alive, Upgrade', 'Upgrade', 'websocket');
  else up.list.push('Connection', 'keep-alive');
  // The socket was handed over at the end of the request head, so a body the client declared never arrives as the
  // request's body: its bytes are in `head`, relayed raw once the upstream switches protocols, as a direct
  // connection would deliver them. The handshake goes up bodiless; piping `req` would wait for a body forever.
  for (let i = up.list.length - 2; i >= 2; i -= 2) if (/^(content-length|transfer-encoding)$/i.test(up.list[i])) up.list.splice(i, 2);
  if (t.body !== null) up.list.push('Content-Length', String(t.body.length));
  const path = t.path;
  const setCookie = bctx?.setCookie;
  const target = emptyTarget();
  let attempt = 0;
  let sentAt = 0;
  /** Bytes sent to the client once the tunnel or the relayed refusal started (Kong's bytes_sent). */
  let sentBytes = 0;
  const countSent = (chunk: Buffer | string) => (sentBytes += typeof chunk === 'string' ? Buffer.byteLength(chunk, 'latin1') : chunk.length);
  // the response never finishes once the socket is detached: the log phase runs when the connection closes
  const logOnClose = () => {
    if (run !== null && run.hasLogPhase) socket.once('close', () => logAfterResponse(run, startedAt, sentBytes));
  };
  /** The head of the upstream's answer as the client gets it: Kong's headers added, then header_filter. */
  const answerHead = (upRes: IncomingMessage, upgraded: boolean): string[] => {
    const upstreamLatency = Math.round(performance.now() - sentAt);
    res.upstreamLatency = upstreamLatency;
    const headers = buildDownstreamHeaders(upRes.rawHeaders, upRes.statusCode!, {
      flags: ctx.flags,
      requestId,
      proxyLatency: Math.round(sentAt - startedAt),
      upstreamLatency,
      clientWantsTrailers: false,
      closeConnection: !upgraded,
      h2: false,
    });
    if (upgraded && setCookie) headers.push('Set-Cookie', setCookie);
    if (run === null) return headers;
    run.trace?.answeredTry();
    run.timings.upstreamLatency = upstreamLatency;
    run.timings.proxyLatency = Math.round(sentAt - startedAt);
    // a header_filter exit cannot replace an answer already switching protocols: its header changes still apply
    return runHeaderFilterOnList(run, upRes.statusCode!, headers);
  };

  /** A header_filter plugin threw on the upstream's answer (ResponseView.failedPhase): Kong's 500 instead of it. */
  const filterFailed = (): boolean => run !== null && run.response.failedPhase !== null;
  const failFilter = (): void => {
    const e = PROXY_ERRORS.UNEXPECTED;
    sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false, undefined, { sentAt });
  };

  const tryTarget = (): void => {
    if (!chooseTarget(target, service, run, balancer, bctx)) {
      const e = PROXY_ERRORS.NO_PEER;
      return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
    }
    let peer = target.peer;
    run?.trace?.startTry(target.host, target.port, target.sniHost);
    up.list[1] = upstreamHostHeader(t.route, up.clientHost, run, target);
    if (attempt === 0) sentAt = performance.now();
    // kong.service.request.set_scheme: that scheme instead of the service's (https: wss to the upstream)
    const tls = run !== null && run.schemeOverride !== null ? run.schemeOverride === 'https' : service.tls;
    const tlsOptions = tls ? tlsOptionsOf(service) : null;
    const upReq = (tls ? httpsRequest : httpRequest)({
      host: target.host,
      port: target.port,
      lookup: upstreamLookup,
      method: req.method,
      path,
      headers: up.list as never,
      setHost: false,
      agent: false,
      timeout: service.connectTimeout,
      ...(tlsOptions
        ? {
            rejectUnauthorized: tlsOptions.rejectUnauthorized,
            ca: tlsOptions.ca,
            cert: tlsOptions.cert,
            key: tlsOptions.key,
            ...(tlsOptions.checkServerIdentity ? { checkServerIdentity: tlsOptions.checkServerIdentity } : {}),
          }
        : {}),
    } as never);
    const release = () => {
      if (peer !== null) {
        balancer!.release(peer);
        peer = null;
      }
    };
    upReq.on('timeout', () => {
      // still connecting: nothing reached the upstream, as a refused connection
      const code = upReq.socket?.connecting === false ? 'UPSTREAM_READ_TIMEOUT' : 'UPSTREAM_CONNECT_TIMEOUT';
      upReq.destroy(upstreamError(code, 'timeout'));
    });
    upReq.on('error', (err: Error & { code?: string }) => {
      const code = err.code ?? '';
      if (unresolvedServiceHost(peer, code)) {
        if (res.socket === null) return socket.destroy();
        const e = PROXY_ERRORS.NAME_RESOLUTION_FAILED;
        return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false, undefined, { sentAt });
      }
      const timedOut = TIMEOUT_CODES.has(code);
      run?.trace?.failTry('failed', timedOut ? 504 : 502);
      const failed = peer;
      if (failed !== null) balancer!.report(failed, timedOut ? { kind: 'timeout' } : { kind: 'tcp_failure' });
      release();
      if (res.socket === null) return socket.destroy();
      if (mayRetry(t, attempt, NOT_CONNECTED_CODES.has(code))) {
        req.unpipe(upReq);
        attempt++;
        if (failed !== null && bctx !== null) (bctx.triedPeers ??= new Set()).add(failed);
        return tryTarget();
      }
      const e = timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
      sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, true, undefined, { sentAt });
    });
    upReq.on('upgrade', (upRes: IncomingMessage, upSocket: Socket, upHead: Buffer) => {
      if (peer !== null) balancer!.report(peer, { kind: 'success', status: 101, latencyMs: Math.round(performance.now() - sentAt) });
      if (socket.destroyed) {
        release();
        return upSocket.destroy();
      }
      logOnClose();
      const headers = answerHead(upRes, true);
      if (filterFailed()) {
        release();
        upSocket.destroy();
        return failFilter();
      }
      let text = `HTTP/1.1 101 ${upRes.statusMessage || 'Switching Protocols'}\r\n`;
      for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      text += `Connection: Upgrade\r\nUpgrade: ${upRes.headers.upgrade ?? 'websocket'}\r\n\r\n`;
      res.relay(101, text);
      countSent(text);
      if (upHead.length > 0) socket.write(upHead);
      sentBytes += upHead.length;
      if (run !== null && run.hasLogPhase) upSocket.on('data', countSent);
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
      if (peer !== null) balancer!.report(peer, { kind: 'success', status: upRes.statusCode!, latencyMs: Math.round(performance.now() - sentAt) });
      release();
      if (socket.destroyed) return upRes.destroy();
      logOnClose();
      const headers = answerHead(upRes, false);
      if (filterFailed()) {
        upRes.destroy();
        return failFilter();
      }
      let text = `HTTP/1.1 ${upRes.statusCode} ${upRes.statusMessage ?? ''}\r\n`;
      for (let i = 0; i < headers.length; i += 2) text += `${headers[i]}: ${headers[i + 1]}\r\n`;
      const chunked = upRes.headers['content-length'] === undefined;
      if (chunked) text += 'Transfer-Encoding: chunked\r\n';
      text += '\r\n';
      res.relay(upRes.statusCode!, text);
      countSent(text);
      upRes.on('data', (chunk: Buffer) => {
        sentBytes += chunk.length;
        if (chunked) socket.write(`${chunk.length.toString(16)}\r\n`);
        socket.write(chunk);
        if (chunked) socket.write(CRLF);
      });
      upRes.on('end', () => (chunked ? socket.end('0\r\n\r\n') : socket.end()));
      upRes.on('error', () => socket.destroy());
    });
    if (t.body !== null) upReq.end(t.body);
    else upReq.end();
  };
  tryTarget();
}

const CRLF = Buffer.from('\r\n');
