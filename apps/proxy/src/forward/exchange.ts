// One proxied request: attempts against the upstream (with Kong's retry rules, §2.5), then the streamed
// response. The Exchange is itself the upstream client's handler, so a request allocates no closures on the
// common path.
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { Transform, type Readable } from 'node:stream';
import { PROXY_ERRORS } from '@tollgate/errors';
import { runBodyFilter, runHeaderFilterOnList, type ChunkFilter, type PluginRun } from '@tollgate/plugins';
import type { CompiledRoute, CompiledService } from '../compile/types';
import { tlsOptionsOf, upstreamPoolKey } from '../compile/compile-service';
import type { Peer, UpstreamRuntime } from '../upstream/types';
import type { UpstreamCall, UpstreamHandler, UpstreamRequest } from '../upstream-http/connection';
import { NOT_CONNECTED_CODES, TIMEOUT_CODES, unresolvedServiceHost, type UpstreamError } from '../upstream-http/errors';
import type { ProxyContext } from './context';
import { DEBUG_REQUEST_HEADER, pushDebugHeaders } from './debug-headers';
import { endClientResponse, validFields, writeClientHead } from './client-head';
import { buildDownstreamHeaders, toH2Headers } from './downstream-headers';
import { sendProxyError, type ClientRequest as DownstreamRequest, type ClientResponse } from './errors';
import type { RequestState } from './request-state';
import { chooseTarget, upstreamHostHeader, type AttemptTarget, type RequestBalancerContext } from './target';
import { isIdempotent } from '../upstream-http/idempotent';

const kExchange = Symbol('tollgate.exchange');
type Tagged<T> = T & { [kExchange]?: Exchange };

const NO_BODY = new Set([204, 304]);
const EMPTY = Buffer.alloc(0);

/** Removes Content-Length and Transfer-Encoding from a flat header list: the body's framing is decided anew. */
function dropFraming(headers: string[]): void {
  for (let i = headers.length - 2; i >= 0; i -= 2) {
    const name = headers[i].toLowerCase();
    if (name === 'content-length' || name === 'transfer-encoding') headers.splice(i, 2);
  }
}

export class Exchange implements UpstreamHandler, AttemptTarget {
  attempt = 0;
  // AttemptTarget: this attempt's destination, filled by chooseTarget (no object per attempt)
  host = '';
  port = 0;
  hostHeader = '';
  sniHost = '';
  peer: Peer | null = null;
  responded = false;
  done = false;
  sentAt = 0;
  balancerCtx: RequestBalancerContext | null = null;
  /** A body without Content-Length under client_max_body_size: counted while it streams. */
  countBody = false;
  bodyBytes = 0;
  /** The request's plugin run, when its route has plugins (header_filter, body_filter, timings). */
  plugins: PluginRun | null = null;
  /** A request body a plugin read or replaced: sent from memory instead of the client stream. */
  bufferedBody: Buffer | null = null;
  /** A plugin changed the method (request-transformer http_method). */
  methodOverride: string | null = null;
  /** RequestState.checkedFields: the leading upstream fields the serializer need not test again. */
  private readonly checkedFields: number;
  /** The upstream balanced over: the service's, or a plugin's kong.service.set_upstream (target.ts balancerOf). */
  upstream: UpstreamRuntime | null = null;
  /** ms, for the access log; -1 until the upstream answered. */
  upstreamLatency = -1;
  /** Response body bytes passed to the client (the access log's size on HTTP/2). */
  responseBytes = 0;
  /** The client response went out from header_filter (kong.response.exit, or a bodiless status set): the upstream body is read and dropped. */
  private upstreamBodyDropped = false;
  /** A plugin's per-chunk filter over this response (kong.response.filterChunks in header_filter). */
  private chunkFilter: ChunkFilter | null = null;
  /**
   * Response held until complete: for body_filter plugins (after header_filter), or under
   * kong.service.request.enable_buffering (before it: header_filter then sees the service's whole body).
   */
  private held: { status: number; headers: string[]; parts: Buffer[]; beforeHeaderFilter: boolean } | null = null;
  /** The request body as handed to the upstream client (the client request itself, or a counting stream over it). */
  private body: Readable | null = null;
  /** The upstream connection carrying the current attempt. */
  private call: UpstreamCall | null = null;
  /**
   * The last body chunk of the current upstream read, not yet written: when the response ends in the same read
   * (the usual small response), it goes out with the end of the response (endClientResponse: with the head, in one
   * socket write) instead of a write() and an end(). Written at the end of the read otherwise (onReadEnd).
   */
  private pending: Buffer | null = null;

  readonly ctx: ProxyContext;
  readonly req: DownstreamRequest;
  readonly res: ClientResponse;
  readonly route: CompiledRoute;
  readonly service: CompiledService;
  readonly requestId: string;
  readonly startedAt: number;
  readonly path: string;
  /** The upstream header list (index 1 is Host, rewritten per attempt). */
  readonly headers: string[];
  readonly clientHost: string | undefined;
  readonly hasBody: boolean;
  readonly wantsTrailers: boolean;

  constructor(s: RequestState) {
    this.ctx = s.ctx;
    this.req = s.req;
    this.res = s.res;
    this.route = s.route;
    this.service = s.service;
    this.requestId = s.requestId;
    this.startedAt = s.startedAt;
    this.path = s.path;
    this.headers = s.up.list;
    this.clientHost = s.up.clientHost;
    this.hasBody = s.hasBody;
    this.wantsTrailers = s.up.wantsTrailers;
    this.plugins = s.run;
    this.bufferedBody = s.body;
    this.checkedFields = s.checkedFields;
  }

  /** Starts (or restarts, for a retry) one attempt. */
  dispatch(): void {
    const svc = this.service;
    if (!chooseTarget(this, svc, this.plugins, this.upstream, this.balancerCtx)) {
      this.fail(PROXY_ERRORS.NO_PEER.status, PROXY_ERRORS.NO_PEER.message, false);
      return;
    }
    const host = this.host;
    const port = this.port;
    // kong.service.request.set_scheme (ai-proxy's provider URL too): that scheme instead of the service's
    const override = this.plugins !== null ? this.plugins.schemeOverride : null;
    const tls = override === null ? svc.tls : override === 'https';
    let poolKey =
      this.peer === null && this.plugins?.targetOverride == null && host === svc.host
        ? svc.poolKey
        : upstreamPoolKey(host, port, svc.connectTimeout, this.sniHost, tls ? svc.tlsOptions : null);
    if (tls !== svc.tls) poolKey = `${tls ? 'https' : 'http'}|${poolKey}`;
    const trace = this.plugins?.trace;
    if (trace) trace.startTry(host, port, this.sniHost);
    // Host is recomputed on every try (§1.6).
    this.headers[1] = upstreamHostHeader(this.route, this.clientHost, this.plugins, this);
    if (this.attempt === 0) this.sentAt = performance.now();
    const pool = this.ctx.pools.get(poolKey, host, port, svc.connectTimeout, tls ? tlsOptionsOf(svc) : null, this.sniHost);
    if (this.countBody && this.body === null) this.body = countedBody(this);
    const request: UpstreamRequest = {
      path: this.path,
      method: this.methodOverride ?? this.req.method!,
      headers: this.headers,
      body: this.bufferedBody ?? (this.hasBody ? (this.body ?? (this.req as unknown as Readable)) : null),
      readTimeout: svc.readTimeout,
      writeTimeout: svc.writeTimeout,
      // llhttp checked the method and the client's fields; what we add is built from them, the schema's hosts
      // and constants. A plugin's header or method goes through the serializer's checks.
      methodChecked: this.methodOverride === null && this.req.httpVersionMajor === 1,
      checkedFields: this.checkedFields,
    };
    pool.request(request, this);
  }

  onAttach(call: UpstreamCall): void {
    this.call = call;
  }

  /** The final response's head (the client drops 1xx interim responses, as nginx does). */
  onHeaders(statusCode: number, raw: string[]): boolean {
    if (this.done) return false;
    this.responded = true;
    this.plugins?.trace?.answeredTry();
    const upstreamLatency = Math.round(performance.now() - this.sentAt);
    this.upstreamLatency = upstreamLatency;
    const svc = this.service;
    if (this.peer !== null) this.upstream!.report(this.peer, { kind: 'success', status: statusCode, latencyMs: upstreamLatency });
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
    // fields the upstream parser checked or we built from checked pieces, until a debug header, a cookie or a plugin adds others
    let checked = !h2;
    if (this.ctx.flags.debugHeader && this.req.headers[DEBUG_REQUEST_HEADER] !== undefined) {
      pushDebugHeaders(headers, this.route);
      checked = false;
    }
    const setCookie = this.balancerCtx?.setCookie;
    if (setCookie) {
      headers.push('Set-Cookie', setCookie);
      checked = false;
    }
    if (this.res.destroyed) return false;
    const run = this.plugins;
    if (run === null) {
      if (checked) writeClientHead(this.res as ServerResponse, statusCode, headers);
      else this.writeHead(statusCode, headers);
      return this.completeIfBodiless(statusCode);
    }
    run.timings.upstreamLatency = upstreamLatency;
    run.timings.proxyLatency = Math.round(this.sentAt - this.startedAt);
    if (run.bufferedProxying && !NO_BODY.has(statusCode) && this.req.method !== 'HEAD') {
      this.held = { status: statusCode, headers, parts: [], beforeHeaderFilter: true };
      return true;
    }
    const upstreamFields = headers.length;
    const filtered = runHeaderFilterOnList(run, statusCode, headers);
    if (run.response.failedPhase !== null) return this.failFilter();
    if (run.response.exitResponse !== null) return this.writeHeaderFilterExit(filtered);
    // kong.response.set_status in header_filter: the client gets that status (the upstream's still frames its body)
    const status = run.response.status;
    if (status !== statusCode && NO_BODY.has(status) && !NO_BODY.has(statusCode)) return this.writeBodilessStatus(status, filtered);
    if (run.response.chunkFilter !== null && !NO_BODY.has(statusCode)) {
      // a plugin streams this body through its filter: the length is unknown until the end
      this.chunkFilter = run.response.chunkFilter;
      dropFraming(filtered);
      return this.writeHead(status, filtered);
    }
    if (run.buffersResponse && !NO_BODY.has(statusCode)) {
      this.held = { status, headers: filtered, parts: [], beforeHeaderFilter: false };
      return true;
    }
    // plugins' fields (kong.response.set_header, a Lua function's values) are checked here, by loops, not by writeHead's
    // regexes; only those: the same list back has the checked fields first, untouched, and the plugins' appended
    if (checked && validFields(filtered, filtered === headers ? upstreamFields : 0)) writeClientHead(this.res as ServerResponse, status, filtered);
    else this.writeHead(status, filtered);
    return this.completeIfBodiless(statusCode);
  }

  /** A header_filter plugin set 204 or 304 on a response with a body: the head goes out alone, the body is dropped (nginx's header_only). */
  private writeBodilessStatus(status: number, headers: string[]): boolean {
    this.upstreamBodyDropped = true;
    dropFraming(headers);
    if (this.res.destroyed) return false;
    this.writeHead(status, headers);
    this.res.end();
    return true;
  }

  /** 204 and 304 never have a body, whatever Content-Length says (RFC 9110 §8.6): the client response ends with the head. */
  private completeIfBodiless(statusCode: number): boolean {
    if (!NO_BODY.has(statusCode)) return true;
    this.finish();
    this.res.end();
    return true;
  }

  /** Kong's exit from header_filter: its status and body replace the upstream's, the other headers stay. */
  private writeHeaderFilterExit(headers: string[]): boolean {
    const exit = this.plugins!.response.exitResponse!;
    this.upstreamBodyDropped = true;
    for (let i = headers.length - 2; i >= 0; i -= 2) {
      const name = headers[i].toLowerCase();
      if (name === 'content-length' || name === 'transfer-encoding' || exit.headers[name] !== undefined) headers.splice(i, 2);
    }
    for (const name of Object.keys(exit.headers)) {
      const value = exit.headers[name];
      if (Array.isArray(value)) for (const v of value) headers.push(name, v);
      else headers.push(name, value);
    }
    headers.push('Content-Length', String(exit.body.length));
    this.plugins!.response.status = exit.status;
    if (this.res.destroyed) return false;
    this.writeHead(exit.status, headers);
    this.res.end(exit.body);
    return true;
  }

  /** A streaming plugin's filter over one chunk: null when it emitted nothing, or failed (logged, failedPhase set). */
  private filterChunk(chunk: Buffer, last: boolean): Buffer | null {
    let out: Buffer | string;
    try {
      out = this.chunkFilter!(chunk, last);
    } catch (err) {
      this.plugins!.log.error('response chunk filter failed', { err: (err as Error)?.stack ?? String(err) });
      this.plugins!.response.fail('body_filter');
      return null;
    }
    if (out.length === 0) return null;
    return typeof out === 'string' ? Buffer.from(out) : out;
  }

  private writeHead(statusCode: number, headers: string[]): boolean {
    const res = this.res;
    if (this.req.httpVersionMajor === 2) (res as Http2ServerResponse).writeHead(statusCode, toH2Headers(headers));
    else (res as ServerResponse).writeHead(statusCode, headers as unknown as Record<string, string>);
    return true;
  }

  onData(chunk: Buffer): boolean {
    if (this.done) return false;
    if (this.upstreamBodyDropped) return true;
    this.responseBytes += chunk.length;
    if (this.plugins !== null) {
      this.plugins.timings.responseSize += chunk.length;
      if (this.held !== null) {
        this.held.parts.push(chunk);
        return true;
      }
      if (this.chunkFilter !== null) {
        const out = this.filterChunk(chunk, false);
        if (out === null) return this.plugins.response.failedPhase === null || this.failFilter();
        chunk = out;
      }
    }
    const prior = this.pending;
    this.pending = chunk;
    return prior === null || this.writeBody(prior);
  }

  /** The upstream read that brought body chunks is parsed: the chunk kept back goes out now. */
  onReadEnd(): boolean {
    const chunk = this.pending;
    if (chunk === null) return true;
    this.pending = null;
    if (this.done) return true;
    return this.writeBody(chunk);
  }

  private writeBody(chunk: Buffer): boolean {
    const ok = (this.res as ServerResponse).write(chunk);
    if (!ok) (this.res as Tagged<ServerResponse>).once('drain', onClientDrain);
    return ok;
  }

  onComplete(): void {
    if (this.done) return;
    this.finish();
    if (this.upstreamBodyDropped) return;
    const held = this.held;
    if (held === null) {
      const last = this.pending;
      this.pending = null;
      const tail = this.chunkFilter !== null ? this.filterChunk(EMPTY, true) : null;
      if (this.chunkFilter !== null && this.plugins!.response.failedPhase !== null) {
        this.failFilter();
      } else if (tail !== null) {
        if (last !== null) (this.res as ServerResponse).write(last);
        this.res.end(tail);
      } else if (last !== null) {
        if (this.req.httpVersionMajor === 2) this.res.end(last);
        else endClientResponse(this.res as ServerResponse, last);
      } else this.res.end();
      return;
    }
    const run = this.plugins!;
    let body: Buffer = Buffer.concat(held.parts);
    let headers = held.headers;
    if (held.beforeHeaderFilter) {
      run.bufferedBody = body;
      headers = runHeaderFilterOnList(run, held.status, headers);
      if (run.response.failedPhase !== null) {
        this.failFilter();
        return;
      }
      if (run.response.exitResponse !== null) {
        this.writeHeaderFilterExit(headers);
        return;
      }
      const status = run.response.status;
      if (status !== held.status && NO_BODY.has(status)) {
        this.writeBodilessStatus(status, headers);
        return;
      }
      if (run.response.chunkFilter !== null) {
        this.chunkFilter = run.response.chunkFilter;
        body = this.filterChunk(body, true) ?? EMPTY;
      }
    }
    // body_filter plugins see the whole body; the length is announced after they changed it
    if (run.buffersResponse && run.response.failedPhase === null) body = runBodyFilter(run, body);
    if (run.response.failedPhase !== null) {
      this.failFilter();
      return;
    }
    dropFraming(headers);
    headers.push('Content-Length', String(body.length));
    if (this.res.destroyed) return;
    // a body_filter plugin may have replaced the status (the head was held with the body)
    this.writeHead(run.response.status || held.status, headers);
    this.res.end(body);
  }

  onError(err: UpstreamError): void {
    if (this.done) return;
    const peer = this.peer;
    if (!this.responded && unresolvedServiceHost(peer, err.code)) {
      const e = PROXY_ERRORS.NAME_RESOLUTION_FAILED;
      this.fail(e.status, e.message, false);
      return;
    }
    if (this.responded) {
      // Mid-body failure: the status line is gone, so the client connection is cut (as nginx does).
      this.finish();
      const last = this.pending;
      this.pending = null;
      if (last !== null && !this.res.destroyed) (this.res as ServerResponse).write(last);
      this.res.destroy();
      return;
    }
    const code = err.code ?? '';
    const timedOut = TIMEOUT_CODES.has(code);
    this.plugins?.trace?.failTry('failed', timedOut ? 504 : 502);
    if (peer !== null) {
      const upstream = this.upstream!;
      upstream.report(peer, timedOut ? { kind: 'timeout' } : { kind: 'tcp_failure' });
      upstream.release(peer);
      this.peer = null;
    }
    if (mayRetry(this, this.attempt, NOT_CONNECTED_CODES.has(code))) {
      this.attempt++;
      if (peer !== null && this.balancerCtx !== null) (this.balancerCtx.triedPeers ??= new Set()).add(peer);
      this.dispatch();
      return;
    }
    const e = timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
    if (!timedOut) this.ctx.logger.warn({ err: err.message, code, request_id: this.requestId }, 'upstream request failed');
    this.fail(e.status, e.message, true);
  }

  fail(status: number, message: string, nginxGenerated: boolean): void {
    this.finish();
    this.sendError(status, message, nginxGenerated);
  }

  /**
   * A plugin's header_filter or body_filter threw (ResponseView.failedPhase): Kong's 500 while the head has not
   * left, the connection cut once it has (sendProxyError); the rest of the upstream's body is read and dropped.
   */
  private failFilter(): boolean {
    this.upstreamBodyDropped = true;
    this.pending = null;
    if (this.res.destroyed) return false;
    this.sendError(PROXY_ERRORS.UNEXPECTED.status, PROXY_ERRORS.UNEXPECTED.message, false);
    return true;
  }

  private sendError(status: number, message: string, nginxGenerated: boolean): void {
    // Kong marks the request proxied before its balancer runs: even a balancer failure reports upstream latency
    const sentAt = this.sentAt > 0 ? this.sentAt : performance.now();
    // Kong names the route in the access phase, so an upstream failure carries the debug headers too
    let debug: string[] | undefined;
    if (this.ctx.flags.debugHeader && this.req.headers[DEBUG_REQUEST_HEADER] !== undefined) pushDebugHeaders((debug = []), this.route);
    sendProxyError(this.req, this.res, status, message, this.requestId, this.startedAt, this.ctx.errors, nginxGenerated, debug, { sentAt });
  }

  finish(): void {
    if (this.done) return;
    this.done = true;
    this.ctx.inflight--;
    if (this.peer !== null) this.upstream!.release(this.peer);
  }

  /** The client went away before we were done: stop the upstream side too. */
  abort(): void {
    if (this.done) return;
    this.finish();
    this.cancelUpstream();
  }

  cancelUpstream(): void {
    this.call?.abort(this);
  }

  resumeUpstream(): void {
    this.call?.resume(this);
  }
}

/** What the retry rule reads of a request: an Exchange or a RequestState (a WebSocket upgrade). */
export type RetriedRequest = Pick<RequestState, 'service' | 'req' | 'res' | 'hasBody'>;

/**
 * nginx `proxy_next_upstream error timeout` under the service's `retries`, for every HTTP/1 forward step (requests
 * and WebSocket upgrades): whether a try that failed before any answer goes on to the next target. Not once the
 * request went out, unless it is idempotent and bodiless. `attempt` counts the retries already made.
 */
export function mayRetry(r: RetriedRequest, attempt: number, beforeConnect: boolean): boolean {
  if (attempt >= r.service.retries || r.res.destroyed) return false;
  if (!r.hasBody) return beforeConnect || isIdempotent(r.req.method!);
  // A streamed body can be sent again only if no byte of it was consumed.
  return beforeConnect && !r.req.readableDidRead && !r.req.destroyed;
}

function onClientDrain(this: Tagged<ClientResponse>): void {
  this[kExchange]?.resumeUpstream();
}

/**
 * A body without Content-Length is counted on its way through: against client_max_body_size, and for the log
 * plugins' request.size. A 'data' listener
 * on the request would start the flow before the upstream client reads and lose bytes, so the count sits in a Transform.
 */
function countedBody(ex: Exchange): Readable {
  const counter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      ex.bodyBytes += chunk.length;
      if (ex.plugins !== null) ex.plugins.timings.requestSize += chunk.length;
      if (ex.ctx.maxBodySize === 0 || ex.bodyBytes <= ex.ctx.maxBodySize || ex.done) return cb(null, chunk);
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
