// One proxied request: attempts against the upstream (with Kong's retry rules, §2.5), then the streamed
// response. The Exchange is itself the undici dispatch handler, so a request allocates no closures on the
// common path.
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { isIP } from 'node:net';
import { Transform, type Readable } from 'node:stream';
import type { Dispatcher } from 'undici';
import { PROXY_ERRORS } from '@tollgate/errors';
import { runBodyFilter, runHeaderFilterOnList, type PluginRun } from '@tollgate/plugins';
import type { CompiledRoute, CompiledService } from '../compile/types';
import type { BalancerContext, Peer } from '../upstream/types';
import type { ProxyContext } from './context';
import { buildDownstreamHeaders, toH2Headers } from './downstream-headers';
import { sendProxyError, type ClientRequest as DownstreamRequest, type ClientResponse } from './errors';

const kExchange = Symbol('tollgate.exchange');
type Tagged<T> = T & { [kExchange]?: Exchange };
/** Buffer's undocumented direct decoder: toString('latin1') minus the encoding dispatch, on every header. */
type Latin1Buffer = Buffer & { latin1Slice(start: number, end: number): string };

const IDEMPOTENT = new Set(['GET', 'HEAD', 'OPTIONS', 'TRACE', 'PUT', 'DELETE']);
const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, grpc: 80, https: 443, grpcs: 443 };
/** Failures that happen before the upstream could have seen a byte of the request. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'UND_ERR_CONNECT_TIMEOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN', 'EADDRNOTAVAIL']);
const TIMEOUTS = new Set(['UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT']);

export class Exchange implements Dispatcher.DispatchHandler {
  attempt = 0;
  peer: Peer | null = null;
  responded = false;
  done = false;
  sentAt = 0;
  balancerCtx: BalancerContext | null = null;
  tried: Set<Peer> | null = null;
  /** A body without Content-Length under client_max_body_size: counted while it streams. */
  countBody = false;
  bodyBytes = 0;
  /** The request's plugin run, when its route has plugins (header_filter, body_filter, timings). */
  plugins: PluginRun | null = null;
  /** A request body a plugin read or replaced: sent from memory instead of the client stream. */
  bufferedBody: Buffer | null = null;
  /** A plugin changed the method (request-transformer http_method). */
  methodOverride: string | null = null;
  /** ms, for the access log; -1 until the upstream answered. */
  upstreamLatency = -1;
  /** Response body bytes passed to the client (the access log's size on HTTP/2). */
  responseBytes = 0;
  /** Response held for body_filter plugins until complete. */
  private held: { status: number; headers: string[]; parts: Buffer[] } | null = null;
  /** The request body as handed to undici (the client request itself, or a counting stream over it). */
  private body: Readable | null = null;
  private abortAttempt: ((reason?: Error) => void) | null = null;
  private resume: (() => void) | null = null;

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
    let poolKey: string;
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
      poolKey = svc.tlsOptions === null ? `${host}|${port}|${svc.connectTimeout}` : `${host}|${port}|${svc.connectTimeout}|${peer.host}|${svc.tlsOptions.poolKey}`;
    } else {
      const direct = svc.directPeer!;
      host = direct.ip;
      port = direct.port;
      hostHeader = svc.defaultHostHeader;
      poolKey = svc.poolKey;
    }
    // Host is recomputed on every try (§1.6); preserve_host sends the client's own.
    this.headers[1] = this.route.preserveHost && this.clientHost !== undefined ? this.clientHost : hostHeader;
    if (this.attempt === 0) this.sentAt = performance.now();
    const sniHost = this.peer !== null ? this.peer.host : svc.host;
    const pool = this.ctx.pools.get(poolKey, svc.tls ? 'https' : 'http', host, port, svc.connectTimeout, svc.tlsOptions, isIP(sniHost) === 0 ? sniHost : undefined);
    if (this.countBody && this.body === null) this.body = countedBody(this);
    pool.dispatch(
      {
        path: this.path,
        method: (this.methodOverride ?? this.req.method) as Dispatcher.HttpMethod,
        headers: this.headers,
        body: this.bufferedBody ?? (this.hasBody ? (this.body ?? (this.req as unknown as Readable)) : null),
        headersTimeout: svc.readTimeout,
        bodyTimeout: svc.readTimeout,
      },
      this,
    );
  }

  onConnect(abort: (reason?: Error) => void): void {
    this.abortAttempt = abort;
    if (this.done) abort();
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], resume: () => void): boolean {
    if (this.done) return false;
    this.responded = true;
    this.resume = resume;
    const upstreamLatency = Math.round(performance.now() - this.sentAt);
    this.upstreamLatency = upstreamLatency;
    const svc = this.service;
    if (this.peer !== null) svc.upstream!.report(this.peer, { kind: 'success', status: statusCode, latencyMs: upstreamLatency });
    const raw: string[] = new Array(rawHeaders.length);
    for (let i = 0; i < rawHeaders.length; i++) raw[i] = (rawHeaders[i] as Latin1Buffer).latin1Slice(0, rawHeaders[i].length);
    const h2 = this.req.httpVersionMajor === 2;
    const headers = buildDownstreamHeaders(raw, statusCode, {
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
    if (this.res.destroyed) return false;
    const run = this.plugins;
    if (run === null) return this.writeHead(statusCode, headers);
    run.timings.upstreamLatency = upstreamLatency;
    run.timings.proxyLatency = Math.round(this.sentAt - this.startedAt);
    const filtered = runHeaderFilterOnList(run, statusCode, headers);
    if (run.buffersResponse) {
      this.held = { status: statusCode, headers: filtered, parts: [] };
      return true;
    }
    return this.writeHead(statusCode, filtered);
  }

  private writeHead(statusCode: number, headers: string[]): boolean {
    const res = this.res;
    if (this.req.httpVersionMajor === 2) (res as Http2ServerResponse).writeHead(statusCode, toH2Headers(headers));
    else (res as ServerResponse).writeHead(statusCode, headers as unknown as Record<string, string>);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    this.responseBytes += chunk.length;
    if (this.plugins !== null) {
      this.plugins.timings.responseSize += chunk.length;
      if (this.held !== null) {
        this.held.parts.push(chunk);
        return true;
      }
    }
    const ok = (this.res as ServerResponse).write(chunk);
    if (!ok) (this.res as Tagged<ClientResponse>).once('drain', onClientDrain);
    return ok;
  }

  onComplete(): void {
    if (this.done) return;
    this.finish();
    const held = this.held;
    if (held === null) {
      this.res.end();
      return;
    }
    // body_filter plugins see the whole body; the length is announced after they changed it
    const body = runBodyFilter(this.plugins!, Buffer.concat(held.parts));
    const headers = held.headers;
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      const name = headers[i].toLowerCase();
      if (name === 'content-length' || name === 'transfer-encoding') headers.splice(i, 2);
    }
    headers.push('Content-Length', String(body.length));
    if (this.res.destroyed) return;
    this.writeHead(held.status, headers);
    this.res.end(body);
  }

  onError(err: Error & { code?: string }): void {
    if (this.done) return;
    const peer = this.peer;
    if (this.responded) {
      // Mid-body failure: the status line is gone, so the client connection is cut (as nginx does).
      this.finish();
      this.res.destroy();
      return;
    }
    const code = err.code ?? '';
    const timedOut = TIMEOUTS.has(code);
    if (peer !== null) {
      const upstream = this.service.upstream!;
      upstream.report(peer, timedOut ? { kind: 'timeout' } : { kind: 'tcp_failure' });
      upstream.release(peer);
      this.peer = null;
    }
    if (this.canRetry(NOT_CONNECTED.has(code))) {
      this.attempt++;
      if (peer !== null) {
        this.tried ??= new Set();
        this.tried.add(peer);
      }
      this.dispatch();
      return;
    }
    const e = timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
    if (!timedOut) this.ctx.logger.warn({ err: err.message, code, request_id: this.requestId }, 'upstream request failed');
    this.fail(e.status, e.message, true);
  }

  /** nginx `proxy_next_upstream error timeout`: not once the request went out, unless it is idempotent and bodiless. */
  private canRetry(beforeConnect: boolean): boolean {
    if (this.attempt >= this.service.retries || this.res.destroyed) return false;
    if (!this.hasBody) return beforeConnect || IDEMPOTENT.has(this.req.method!);
    // A streamed body can be sent again only if no byte of it was consumed.
    return beforeConnect && !this.req.readableDidRead && !this.req.destroyed;
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
    this.cancelUpstream();
  }

  cancelUpstream(): void {
    this.abortAttempt?.();
  }

  resumeUpstream(): void {
    this.resume?.();
  }
}

function onClientDrain(this: Tagged<ClientResponse>): void {
  this[kExchange]?.resumeUpstream();
}

/**
 * A body without Content-Length is counted against client_max_body_size on its way through. A 'data' listener
 * on the request would start the flow before undici reads and lose bytes, so the count sits in a Transform.
 */
function countedBody(ex: Exchange): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      ex.bodyBytes += chunk.length;
      if (ex.bodyBytes <= ex.ctx.maxBodySize || ex.done) return cb(null, chunk);
      const e = PROXY_ERRORS.PAYLOAD_TOO_LARGE;
      ex.fail(e.status, e.message, true);
      ex.cancelUpstream();
      // The rest of the body is not read: the connection cannot be reused.
      if (ex.req.httpVersionMajor !== 2) (ex.res as ServerResponse).once('finish', () => ex.req.socket.destroy());
      cb();
    },
  });
  ex.req.pipe(counter);
  return counter;
}

/** Registered on the client response: a client that leaves early cancels the upstream request. */
export function onClientClose(this: Tagged<ClientResponse>): void {
  const ex = this[kExchange];
  if (ex !== undefined && !ex.done) ex.abort();
}

export function exchangeOf(res: ClientResponse): Exchange | undefined {
  return (res as Tagged<ClientResponse>)[kExchange];
}

export function tagResponse(res: ClientResponse, ex: Exchange): void {
  (res as Tagged<ClientResponse>)[kExchange] = ex;
}
