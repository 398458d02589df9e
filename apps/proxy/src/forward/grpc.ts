// gRPC (grpc/grpcs services) over HTTP/2 to the upstream, one multiplexed session per upstream address: the
// forward step of a gRPC request, which reached it through the same pipeline as every request (handler.ts).
// As the HTTP exchange, each try is balanced (a retry goes to the next target when the call never left, nginx's
// `grpc_next_upstream error timeout`), and the reply goes through header_filter and body_filter; the log phase
// runs once the client response finished (plugin-phase.ts). Trailers (grpc-status, grpc-message) are relayed as
// trailers (kong-data-plane.md §2.6).
import { isIP } from 'node:net';
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { ServerResponse } from 'node:http';
import type { Http2ServerResponse } from 'node:http2';
import { PROXY_ERRORS } from '@tollgate/errors';
import { runBodyFilter, runHeaderFilter, type PluginRun } from '@tollgate/plugins';
import type { CompiledService } from '../compile/types';
import type { Peer, UpstreamRuntime } from '../upstream/types';
import { sendProxyError } from './errors';
import { SERVER_TOKEN, VIA_2 } from './identity';
import type { RequestState } from './request-state';
import { upstreamLookup } from '../upstream/dns-lookup';
import { chooseTarget, upstreamHostHeader, type AttemptTarget, type RequestBalancerContext } from './target';

const CANCEL = 0x8;
const sessions = new Map<string, ClientHttp2Session>();
/** Marks a session destroyed because it did not connect within the service's connect_timeout. */
const kConnectTimedOut = Symbol('tollgate.connectTimedOut');
type Session = ClientHttp2Session & { [kConnectTimedOut]?: boolean };

/** One session per upstream address AND per TLS identity, keyed as the HTTP/1.1 pools are
 *  (CompiledService.poolKey's parts): a service with tls_verify, its own CA list, client certificate, SNI or
 *  connect_timeout never rides on a session another service opened with different ones. */
function sessionFor(authority: string, svc: CompiledService, sniHost: string): Session {
  const tls = svc.tls ? svc.tlsOptions : null;
  const key = tls === null ? `http://${authority}|${svc.connectTimeout}` : `https://${authority}|${svc.connectTimeout}|${sniHost}|${tls.poolKey}`;
  const cached = sessions.get(key);
  if (cached && !cached.closed && !cached.destroyed) return cached;
  const session: Session = connect(`${svc.tls ? 'https' : 'http'}://${authority}`, tls === null ? { lookup: upstreamLookup } : {
    lookup: upstreamLookup,
    rejectUnauthorized: tls.rejectUnauthorized,
    ca: tls.ca,
    cert: tls.cert,
    key: tls.key,
    servername: sniHost !== '' && isIP(sniHost) === 0 ? sniHost : undefined,
    // only when set: an explicit undefined would replace Node's default hostname check
    ...(tls.checkServerIdentity ? { checkServerIdentity: tls.checkServerIdentity } : {}),
  });
  const timer = setTimeout(() => {
    session[kConnectTimedOut] = true;
    session.destroy();
  }, svc.connectTimeout);
  session.once('connect', () => clearTimeout(timer));
  session.on('error', () => undefined);
  session.once('close', () => {
    clearTimeout(timer);
    if (sessions.get(key) === session) sessions.delete(key);
  });
  session.once('goaway', () => sessions.get(key) === session && sessions.delete(key));
  sessions.set(key, session);
  return session;
}

export function closeGrpcSessions(): void {
  for (const s of sessions.values()) s.destroy();
  sessions.clear();
}

const DROP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'proxy-connection', 'te']);

/** The h2 request headers of a call: the upstream header list without hop-by-hop and pseudo headers. */
function requestHeaders(s: RequestState): OutgoingHttpHeaders {
  const list = s.up.list;
  const out: OutgoingHttpHeaders = { ':method': 'POST', ':path': s.path, ':authority': '', ':scheme': s.service.tls ? 'https' : 'http', te: 'trailers' };
  for (let i = 2; i < list.length; i += 2) {
    const name = list[i].toLowerCase();
    if (DROP.has(name) || name.charCodeAt(0) === 58) continue;
    out[name] = list[i + 1];
  }
  return out;
}

/** The client's response headers: what the upstream sent plus Kong's (Via, Server, latencies, request id). */
function downstreamHeaders(upstream: IncomingHttpHeaders, s: RequestState, tries: GrpcTries, upstreamLatency: number): Record<string, string | string[] | number | undefined> {
  const down: Record<string, string | string[] | number | undefined> = {};
  for (const name of Object.keys(upstream)) if (name.charCodeAt(0) !== 58 && !DROP.has(name)) down[name] = upstream[name];
  const flags = s.ctx.flags;
  if (flags.via) down.via = upstream.via ? `${upstream.via}, ${VIA_2}` : VIA_2;
  if (flags.server && upstream.server === undefined) down.server = SERVER_TOKEN;
  if (flags.upstreamLatency) down['x-kong-upstream-latency'] = String(upstreamLatency);
  if (flags.proxyLatency) down['x-kong-proxy-latency'] = String(Math.round(tries.sentAt - s.startedAt));
  if (flags.requestId) down['x-kong-request-id'] = s.requestId;
  if (tries.bctx?.setCookie) down['set-cookie'] = tries.bctx.setCookie;
  return down;
}

function copyTrailers(t: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(t)) if (name.charCodeAt(0) !== 58) out[name] = String(t[name]);
  return out;
}

/**
 * The tries of one call, counted in flight until `finish`: a target per try (chooseTarget, as HTTP), Kong's retry
 * rule, the balancer's passive health reports and the trace's balancer tries.
 */
class GrpcTries implements AttemptTarget {
  // AttemptTarget: this try's destination, filled by chooseTarget
  host = '';
  port = 0;
  hostHeader = '';
  sniHost = '';
  peer: Peer | null = null;
  attempt = 0;
  sentAt = 0;
  ended = false;
  /** The client closed its side (an HTTP/2 compat response has no `destroyed` to ask). */
  clientGone = false;
  session: Session | null = null;
  stream: ClientHttp2Stream | null = null;
  readonly out: OutgoingHttpHeaders;

  constructor(readonly s: RequestState, private readonly balancer: UpstreamRuntime | null, readonly bctx: RequestBalancerContext | null) {
    s.ctx.inflight++;
    this.out = requestHeaders(s);
    (s.res as Http2ServerResponse).once('close', this.cancel);
  }

  /** The next try's stream; null when the balancer had no target left (its 503 is sent). Throws if the session is unusable. */
  open(): ClientHttp2Stream | null {
    const s = this.s;
    if (!chooseTarget(this, s.service, s.run, this.balancer, this.bctx)) {
      this.finish();
      const e = PROXY_ERRORS.NO_PEER;
      sendProxyError(s.req, s.res, e.status, e.message, s.requestId, s.startedAt, s.ctx.errors, false);
      return null;
    }
    // the Host (:authority) is recomputed on every try (§1.6)
    this.out[':authority'] = upstreamHostHeader(s.route, s.up.clientHost, s.run, this);
    s.run?.trace?.startTry(this.host, this.port, this.sniHost);
    if (this.attempt === 0) this.sentAt = performance.now();
    const svc = s.service;
    const authority = this.host.includes(':') ? `[${this.host}]:${this.port}` : `${this.host}:${this.port}`;
    this.stream = null;
    this.session = sessionFor(authority, svc, this.sniHost);
    return (this.stream = this.session.request(this.out));
  }

  /** Whether the current try's stream never left: the session failed to connect before the call was sent. */
  unsent(): boolean {
    return this.stream === null || this.stream.pending;
  }

  connectTimedOut(): boolean {
    return this.session?.[kConnectTimedOut] === true;
  }

  /**
   * The try ended without an answer. True when the call goes on to another target: nothing of it reached the
   * upstream and retries are left (a sent call is never replayed: gRPC is POST).
   */
  retry(timedOut: boolean): boolean {
    const s = this.s;
    s.run?.trace?.failTry('failed', timedOut ? 504 : 502);
    const peer = this.peer;
    if (peer !== null) {
      this.balancer!.report(peer, timedOut ? { kind: 'timeout' } : { kind: 'tcp_failure' });
      this.balancer!.release(peer);
      this.peer = null;
    }
    if (!this.unsent() || this.attempt >= s.service.retries || this.clientGone) return false;
    this.attempt++;
    if (peer !== null && this.bctx !== null) (this.bctx.triedPeers ??= new Set()).add(peer);
    return true;
  }

  /** The upstream answered this try: returns the upstream latency (ms). */
  answered(status: number): number {
    const latency = Math.round(performance.now() - this.sentAt);
    const run = this.s.run;
    if (run !== null) {
      run.trace?.answeredTry();
      run.timings.upstreamLatency = latency;
      run.timings.proxyLatency = Math.round(this.sentAt - this.s.startedAt);
    }
    if (this.peer !== null) this.balancer!.report(this.peer, { kind: 'success', status, latencyMs: latency });
    return latency;
  }

  /** The call failed: Kong's 504 on a timeout, else 502 (nothing when the client left). */
  fail(timedOut: boolean): void {
    this.finish();
    const s = this.s;
    if (this.clientGone || s.res.destroyed) return;
    const e = timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
    sendProxyError(s.req, s.res, e.status, e.message, s.requestId, s.startedAt, s.ctx.errors, true);
  }

  finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.s.ctx.inflight--;
    if (this.peer !== null) this.balancer!.release(this.peer);
  }

  /** The client went away: the upstream call is cancelled too. */
  readonly cancel = (): void => {
    this.clientGone = true;
    const stream = this.stream;
    if (stream !== null && !stream.closed) stream.close(CANCEL);
  };
}

/** The forward step of a gRPC request from an HTTP/2 client: the call streamed both ways. */
export function forwardGrpc(s: RequestState, balancer: UpstreamRuntime | null, bctx: RequestBalancerContext | null): void {
  tryStreamed(new GrpcTries(s, balancer, bctx));
}

function tryStreamed(tries: GrpcTries): void {
  const s = tries.s;
  const res = s.res as Http2ServerResponse;
  let stream: ClientHttp2Stream | null;
  try {
    stream = tries.open();
  } catch {
    return tries.retry(false) ? tryStreamed(tries) : tries.fail(false);
  }
  if (stream === null) return;
  const upstream = stream;
  let timedOut = false;
  let responded = false;
  /** A header_filter plugin ended the request: the rest of the reply is dropped. */
  let exited = false;
  /** The reply is held for body_filter plugins until its end (with its trailers). */
  let held: { status: number; headers: Record<string, string | string[] | number | undefined>; parts: Buffer[] } | null = null;
  let trailers: Record<string, string> | null = null;
  upstream.setTimeout(s.service.readTimeout, () => {
    timedOut = true;
    upstream.close(CANCEL);
  });
  upstream.on('response', (headers: IncomingHttpHeaders) => {
    responded = true;
    const status = Number(headers[':status'] ?? 200);
    const down = downstreamHeaders(headers, s, tries, tries.answered(status));
    const run = s.run;
    if (run !== null) {
      runHeaderFilter(run, status, down);
      if (run.response.failedPhase !== null || run.response.exitResponse !== null) {
        exited = true;
        upstream.close(CANCEL);
        return run.response.failedPhase !== null ? failFilter(s, tries.sentAt) : writeHeaderFilterExit(s, run, down);
      }
      if (run.buffersResponse) {
        held = { status, headers: down, parts: [] };
        upstream.on('data', (chunk: Buffer) => held!.parts.push(chunk));
        return;
      }
      if (run.hasLogPhase) upstream.on('data', (chunk: Buffer) => (run.timings.responseSize += chunk.length));
    }
    res.writeHead(status, down as OutgoingHttpHeaders as never);
    upstream.pipe(res as unknown as NodeJS.WritableStream);
  });
  upstream.on('trailers', (t: IncomingHttpHeaders) => {
    trailers = copyTrailers(t);
    if (held === null && !exited) res.addTrailers(trailers);
  });
  upstream.on('error', () => undefined);
  upstream.on('close', () => {
    if (!responded) {
      const timeout = timedOut || tries.connectTimedOut();
      return tries.retry(timeout) ? tryStreamed(tries) : tries.fail(timeout);
    }
    if (exited) return tries.finish();
    if (held !== null) return sendHeld(tries, held, trailers, upstream.rstCode !== 0, timedOut);
    tries.finish();
    if (!res.writableEnded) res.end();
  });
  // the client's body goes up only once the call left: until then a failed connection can be retried elsewhere
  if (upstream.pending) upstream.once('ready', () => s.req.pipe(upstream));
  else s.req.pipe(upstream);
}

/** A reply held for body_filter: the plugins see the whole body and the trailers, then it is sent with its length. */
function sendHeld(
  tries: GrpcTries,
  held: { status: number; headers: Record<string, string | string[] | number | undefined>; parts: Buffer[] },
  trailers: Record<string, string> | null,
  cut: boolean,
  timedOut: boolean,
): void {
  // a reply cut before its end is not passed through the filters half-read
  if (cut) return tries.fail(timedOut);
  tries.finish();
  const s = tries.s;
  const res = s.res as Http2ServerResponse;
  if (tries.clientGone || res.destroyed) return;
  const run = s.run!;
  const raw = Buffer.concat(held.parts);
  run.timings.responseSize += raw.length;
  run.response.trailers = trailers;
  const body = runBodyFilter(run, raw);
  if (run.response.failedPhase !== null) return failFilter(s, tries.sentAt);
  held.headers['content-length'] = String(body.length);
  // a body_filter plugin may have replaced the status (the head was held with the body)
  res.writeHead(run.response.status || held.status, held.headers as OutgoingHttpHeaders as never);
  if (trailers !== null) res.addTrailers(trailers);
  res.end(body);
}

/** A header_filter or body_filter plugin threw (ResponseView.failedPhase): Kong's 500 (as gRPC: grpc-status 13). */
function failFilter(s: RequestState, sentAt: number): void {
  const e = PROXY_ERRORS.UNEXPECTED;
  sendProxyError(s.req, s.res, e.status, e.message, s.requestId, s.startedAt, s.ctx.errors, false, undefined, { sentAt });
}

/** Kong's exit from header_filter: its status and body replace the reply's, the other headers stay. */
function writeHeaderFilterExit(s: RequestState, run: PluginRun, headers: Record<string, string | string[] | number | undefined>): void {
  const exit = run.response.exitResponse!;
  run.response.status = exit.status;
  run.timings.responseSize = exit.body.length;
  if (s.res.destroyed) return;
  Object.assign(headers, exit.headers, { 'content-length': String(exit.body.length) });
  (s.res as ServerResponse).writeHead(exit.status, headers as never);
  s.res.end(exit.body);
}

/** A request a plugin turned into a gRPC call (PluginRequest.callAsGrpc), with the body it set. */
export interface GrpcCallForPlugins {
  readonly run: PluginRun;
  readonly body: Buffer;
}

/**
 * One unary gRPC call over the shared h2 session for a client of any HTTP version (grpc-web, grpc-gateway): the
 * plugin's body goes up, the whole reply (headers, data, trailers) is read, header_filter and body_filter turn it
 * into the client's response with the trailers in view, and it is sent with its length.
 */
export function callGrpcForPlugins(s: RequestState, balancer: UpstreamRuntime | null, bctx: RequestBalancerContext | null, call: GrpcCallForPlugins): void {
  const tries = new GrpcTries(s, balancer, bctx);
  tries.out['content-length'] = String(call.body.length);
  tryUnary(tries, call);
}

function tryUnary(tries: GrpcTries, call: GrpcCallForPlugins): void {
  const s = tries.s;
  const { req, res, ctx } = s;
  const run = call.run;
  let stream: ClientHttp2Stream | null;
  try {
    stream = tries.open();
  } catch {
    return tries.retry(false) ? tryUnary(tries, call) : tries.fail(false);
  }
  if (stream === null) return;
  const upstream = stream;
  let timedOut = false;
  let head: IncomingHttpHeaders | null = null;
  let trailers: Record<string, string> = {};
  const parts: Buffer[] = [];
  upstream.setTimeout(s.service.readTimeout, () => {
    timedOut = true;
    upstream.close(CANCEL);
  });
  upstream.on('response', (headers: IncomingHttpHeaders) => (head = headers));
  upstream.on('trailers', (t: IncomingHttpHeaders) => (trailers = copyTrailers(t)));
  upstream.on('data', (chunk: Buffer) => parts.push(chunk));
  upstream.on('error', () => undefined);
  upstream.on('close', () => {
    if (tries.ended) return;
    const reply = head as IncomingHttpHeaders | null;
    if (reply === null) {
      const timeout = timedOut || tries.connectTimedOut();
      return tries.retry(timeout) ? tryUnary(tries, call) : tries.fail(timeout);
    }
    // a reply cut before its end is not sent half-transcoded
    if (upstream.rstCode !== 0) return tries.fail(timedOut);
    const status = Number(reply[':status'] ?? 200);
    const headers = downstreamHeaders(reply, s, tries, tries.answered(status));
    tries.finish();
    if (tries.clientGone || res.headersSent || res.destroyed) return;
    delete headers['content-length'];
    const body = Buffer.concat(parts);
    run.timings.responseSize = body.length;
    runHeaderFilter(run, status, headers);
    if (run.response.failedPhase !== null) return failFilter(s, tries.sentAt);
    if (run.response.exitResponse !== null) return writeHeaderFilterExit(s, run, headers);
    run.response.trailers = trailers;
    const sent = runBodyFilter(run, body);
    if (run.response.failedPhase !== null) return failFilter(s, tries.sentAt);
    headers['content-length'] = String(sent.length);
    if (ctx.draining && req.httpVersionMajor !== 2) (res as ServerResponse).shouldKeepAlive = false;
    (res as ServerResponse).writeHead(run.response.status, headers as never);
    res.end(sent);
  });
  upstream.end(call.body);
}
