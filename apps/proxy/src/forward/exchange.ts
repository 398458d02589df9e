// One proxied request: attempts against the upstream (with Kong's retry rules, §2.5), then the streamed
// response. Event handlers are module-level functions that find their Exchange through a symbol on the
// emitter, so a request allocates no closures on the common path.
import { request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions, type ServerResponse } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Http2ServerResponse } from 'node:http2';
import { isIP, type Socket } from 'node:net';
import { PROXY_ERRORS } from '@tollgate/errors';
import type { CompiledRoute, CompiledService } from '../compile/types';
import type { BalancerContext, Peer } from '../upstream/types';
import type { ProxyContext } from './context';
import { buildDownstreamHeaders, toH2Headers } from './downstream-headers';
import { sendProxyError, type ClientRequest as DownstreamRequest, type ClientResponse } from './errors';

const kExchange = Symbol('tollgate.exchange');
type Tagged<T> = T & { [kExchange]?: Exchange };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, grpc: 80, https: 443, grpcs: 443 };

export class Exchange {
  attempt = 0;
  upReq: ClientRequest | null = null;
  peer: Peer | null = null;
  connected = false;
  timedOut = false;
  responded = false;
  done = false;
  bodyPiped = false;
  sentAt = 0;
  balancerCtx: BalancerContext | null = null;
  tried: Set<Peer> | null = null;
  /** A body without Content-Length under client_max_body_size: counted while it streams. */
  countBody = false;
  bodyBytes = 0;

  constructor(
    readonly ctx: ProxyContext,
    readonly req: DownstreamRequest,
    readonly res: ClientResponse,
    readonly route: CompiledRoute,
    readonly service: CompiledService,
    readonly requestId: string,
    readonly startedAt: number,
    readonly path: string,
    readonly headers: string[],
    readonly clientHost: string | undefined,
    readonly hasBody: boolean,
    readonly wantsTrailers: boolean,
  ) {}

  /** Starts (or restarts, for a retry) one attempt. */
  dispatch(): void {
    const svc = this.service;
    let host: string;
    let port: number;
    let hostHeader: string;
    if (svc.upstream !== null) {
      const peer = svc.upstream.pick(this.balancerCtx!);
      if (peer === null) {
        this.fail(PROXY_ERRORS.NO_PEER.status, PROXY_ERRORS.NO_PEER.message, false);
        return;
      }
      this.peer = peer;
      host = peer.ip;
      port = peer.port;
      hostHeader = DEFAULT_PORT[svc.protocol] === port ? peer.hostHeader : `${peer.hostHeader}:${port}`;
    } else {
      const direct = svc.directPeer!;
      host = direct.ip;
      port = direct.port;
      hostHeader = svc.defaultHostHeader;
    }
    // Host is recomputed on every try (§1.6); preserve_host sends the client's own.
    this.headers[1] = this.route.preserveHost && this.clientHost !== undefined ? this.clientHost : hostHeader;
    if (this.attempt === 0) this.sentAt = performance.now();
    this.connected = false;
    this.timedOut = false;

    const options: RequestOptions & { servername?: string; rejectUnauthorized?: boolean; ca?: string[]; cert?: string; key?: string } = {
      host,
      port,
      method: this.req.method,
      path: this.path,
      headers: this.headers as unknown as RequestOptions['headers'],
      setHost: false,
      timeout: svc.connectTimeout,
      agent: svc.tls ? this.ctx.pools.https : this.ctx.pools.http,
    };
    const tls = svc.tlsOptions;
    if (tls !== null) {
      const sniName = this.peer !== null ? this.peer.host : svc.host;
      if (isIP(sniName) === 0) options.servername = sniName;
      options.rejectUnauthorized = tls.rejectUnauthorized;
      if (tls.ca) options.ca = tls.ca;
      if (tls.cert && tls.key) {
        options.cert = tls.cert;
        options.key = tls.key;
      }
    }
    const upReq: Tagged<ClientRequest> = (svc.tls ? httpsRequest : httpRequest)(options);
    upReq[kExchange] = this;
    this.upReq = upReq;
    upReq.on('socket', onUpstreamSocket);
    upReq.on('response', onUpstreamResponse);
    upReq.on('error', onUpstreamError);
    upReq.on('timeout', onUpstreamTimeout);
    if (!this.hasBody) upReq.end();
  }

  onConnected(socket: Socket): void {
    this.connected = true;
    const svc = this.service;
    if (!this.hasBody) {
      socket.setTimeout(svc.readTimeout);
      return;
    }
    // The body is read only now, so a connect failure can still be retried with the body untouched.
    socket.setTimeout(svc.writeTimeout);
    this.bodyPiped = true;
    // Attached in the same tick as pipe(): a 'data' listener alone would start the flow and lose bytes.
    if (this.countBody) {
      (this.req as Tagged<DownstreamRequest>)[kExchange] = this;
      this.req.on('data', onBodyChunk);
    }
    this.req.pipe(this.upReq!);
    this.upReq!.once('finish', onUpstreamRequestWritten);
  }

  onResponse(upRes: IncomingMessage): void {
    if (this.done) return;
    this.responded = true;
    const now = performance.now();
    const upstreamLatency = Math.round(now - this.sentAt);
    const svc = this.service;
    if (this.peer !== null) svc.upstream!.report(this.peer, { kind: 'success', status: upRes.statusCode!, latencyMs: upstreamLatency });
    const h2 = this.req.httpVersionMajor === 2;
    const headers = buildDownstreamHeaders(upRes, {
      flags: this.ctx.flags,
      requestId: this.requestId,
      proxyLatency: Math.round(this.sentAt - this.startedAt),
      upstreamLatency,
      clientWantsTrailers: this.wantsTrailers,
      closeConnection: this.ctx.draining,
      h2,
    });
    const setCookie = this.balancerCtx?.setCookie;
    if (setCookie) headers.push('Set-Cookie', setCookie);
    const res = this.res;
    if (res.destroyed) {
      this.finish();
      upRes.destroy();
      return;
    }
    if (h2) (res as Http2ServerResponse).writeHead(upRes.statusCode!, toH2Headers(headers));
    else res.writeHead(upRes.statusCode!, headers as unknown as Record<string, string>);
    (upRes as Tagged<IncomingMessage>)[kExchange] = this;
    upRes.on('error', onUpstreamResponseError);
    upRes.on('end', onUpstreamResponseEnd);
    upRes.pipe(res as NodeJS.WritableStream);
  }

  onError(err: Error): void {
    if (this.done) return;
    const peer = this.peer;
    if (this.responded) {
      // Mid-body failure: the status line is gone, so the client connection is cut (as nginx does).
      this.finish();
      this.res.destroy();
      return;
    }
    if (peer !== null) {
      const upstream = this.service.upstream!;
      upstream.report(peer, this.timedOut ? { kind: 'timeout' } : { kind: 'tcp_failure' });
      upstream.release(peer);
      this.peer = null;
    }
    if (this.canRetry()) {
      this.attempt++;
      if (peer !== null) {
        this.tried ??= new Set();
        this.tried.add(peer);
      }
      this.upReq = null;
      this.dispatch();
      return;
    }
    const e = this.timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
    if (!this.timedOut) this.ctx.logger.warn({ err: err.message, request_id: this.requestId }, 'upstream request failed');
    this.fail(e.status, e.message, true);
  }

  /** nginx `proxy_next_upstream error timeout`: not once the request went out, unless it is idempotent and bodiless. */
  private canRetry(): boolean {
    if (this.attempt >= this.service.retries) return false;
    if (this.res.destroyed) return false;
    if (!this.connected) return !this.bodyPiped;
    return !this.hasBody && IDEMPOTENT.has(this.req.method!);
  }

  fail(status: number, message: string, nginxGenerated: boolean): void {
    this.finish();
    sendProxyError(this.req, this.res, status, message, this.requestId, this.startedAt, this.ctx.errors, nginxGenerated);
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.ctx.inflight--;
    if (this.peer !== null) this.service.upstream!.release(this.peer);
  }

  /** The client went away before we were done: stop the upstream side too. */
  abort(): void {
    if (this.done) return;
    this.finish();
    this.upReq?.destroy();
  }
}

function onBodyChunk(this: Tagged<DownstreamRequest>, chunk: Buffer): void {
  const ex = this[kExchange]!;
  ex.bodyBytes += chunk.length;
  if (ex.bodyBytes <= ex.ctx.maxBodySize || ex.done) return;
  ex.upReq?.destroy();
  const e = PROXY_ERRORS.PAYLOAD_TOO_LARGE;
  ex.fail(e.status, e.message, true);
  // The rest of the body is not read: the connection cannot be reused.
  if (this.httpVersionMajor !== 2) (ex.res as ServerResponse).once('finish', () => this.socket.destroy());
}

function onUpstreamSocket(this: Tagged<ClientRequest>, socket: Socket): void {
  const ex = this[kExchange]!;
  if (socket.connecting) socket.once('connect', () => ex.upReq === this && ex.onConnected(socket));
  else ex.onConnected(socket);
}

function onUpstreamRequestWritten(this: Tagged<ClientRequest>): void {
  const ex = this[kExchange]!;
  this.socket?.setTimeout(ex.service.readTimeout);
}

function onUpstreamResponse(this: Tagged<ClientRequest>, upRes: IncomingMessage): void {
  this[kExchange]!.onResponse(upRes);
}

function onUpstreamError(this: Tagged<ClientRequest>, err: Error): void {
  const ex = this[kExchange]!;
  if (ex.upReq === this) ex.onError(err);
}

function onUpstreamTimeout(this: Tagged<ClientRequest>): void {
  const ex = this[kExchange]!;
  if (ex.upReq !== this) return;
  ex.timedOut = true;
  this.destroy(new Error('upstream timed out'));
}

function onUpstreamResponseError(this: Tagged<IncomingMessage>): void {
  const ex = this[kExchange]!;
  ex.finish();
  ex.res.destroy();
}

function onUpstreamResponseEnd(this: Tagged<IncomingMessage>): void {
  this[kExchange]!.finish();
}

/** Registered on the client response: a client that leaves early cancels the upstream request. */
export function onClientClose(this: Tagged<ClientResponse>): void {
  const ex = this[kExchange];
  if (ex !== undefined && !ex.done) ex.abort();
}

export function tagResponse(res: ClientResponse, ex: Exchange): void {
  (res as Tagged<ClientResponse>)[kExchange] = ex;
}
