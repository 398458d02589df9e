// Bridge between the proxy's request path and libs/plugins: builds a PluginRun for routes that have plugins,
// writes a plugin's exit response, and schedules the log phase once the response finished. Routes without
// plugins never reach this file (handler.ts checks route.plugins.length).
import type { ServerResponse } from 'node:http';
import { PROXY_ERRORS } from '@tollgate/errors';
import {
  PluginRun, pluginLogger, RequestBodyTooLarge, runBodyFilter, runHeaderFilter, scheduleLog, type HostRequest, type PluginChains, type PluginLogger, type RequestTimings,
} from '@tollgate/plugins';
import type { CompiledRoute } from '../compile/types';
import type { ProxyContext } from './context';
import { sendProxyError, type ClientRequest, type ClientResponse } from './errors';
import type { TrustPolicy } from './trust';
import { SERVER_TOKEN, viaFor } from './identity';

const HOP_BY_HOP = ['connection', 'keep-alive', 'proxy-connection', 'upgrade', 'transfer-encoding'];

const loggers = new WeakMap<ProxyContext, PluginLogger>();
// one data plane has one ProxyContext: remember the last one instead of a WeakMap read per request
let lastCtx: ProxyContext | null = null;
let lastLog: PluginLogger | null = null;

/**
 * What the pipeline sees of the client request. A class (one fixed shape, no closure per request) that the
 * handler fills from what it already parsed.
 */
export class ProxyHostRequest implements HostRequest {
  readonly method: string;
  readonly headers: ClientRequest['headers'];
  /** Path the upstream would get, without the query string. */
  readonly upstreamPath: string;
  /** Raw query without '?', '' when none. */
  readonly rawQuery: string;
  // What the Lua PDK reads besides the request itself (kong.client.get_ip, kong.request.get_port, ...).
  peerIp?: string;
  peerPort?: number;
  serverPort?: number;
  uriCaptures?: Readonly<Record<string, string>> | null;
  upstreamNames?: ReadonlyMap<string, unknown>;
  /** trusted_ips, for kong.ip.is_trusted. */
  trust?: TrustPolicy;
  /** Where a body of unknown length that a plugin buffered is counted (Kong's request_length). */
  timings?: RequestTimings;
  /** The most a plugin may read into memory (0: no limit): ProxyContext.bodyBufferLimit. */
  bodyLimit = 0;

  constructor(
    private readonly req: ClientRequest,
    readonly protocol: string,
    readonly scheme: 'http' | 'https',
    readonly host: string,
    readonly rawPath: string,
    /** Upstream path with the query string, as resolveUpstreamPath gives it. */
    upstreamPathWithQuery: string,
    /** '' or '?a=b' */
    rawQueryWithMark: string,
    readonly clientIp: string,
    readonly trustedPeer = false,
  ) {
    this.method = req.method!;
    this.headers = req.headers;
    this.upstreamPath = rawQueryWithMark === '' ? upstreamPathWithQuery : upstreamPathWithQuery.slice(0, upstreamPathWithQuery.length - rawQueryWithMark.length);
    this.rawQuery = rawQueryWithMark === '' ? '' : rawQueryWithMark.slice(1);
  }

  isTrusted(ip: string): boolean { return this.trust !== undefined && this.trust.isTrusted(ip); }

  get httpVersion(): number { return this.req.httpVersionMajor === 2 ? 2 : this.req.httpVersionMinor === 0 ? 1.0 : 1.1; }

  headerCount(name: string): number {
    const raw = this.req.rawHeaders;
    let n = 0;
    for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) n++;
    return n;
  }

  readBody(): Promise<Buffer> {
    const read = readAll(this.req, this.bodyLimit);
    if (this.req.headers['content-length'] !== undefined) return read; // already counted
    return read.then((body) => {
      if (this.timings) this.timings.requestSize += body.length;
      return body;
    });
  }

  hasUpstream(name: string): boolean { return this.upstreamNames?.has(name) ?? false; }
}

export interface PluginRequestFacts {
  readonly protocol: string;
  readonly scheme: 'http' | 'https';
  readonly host: string;
  readonly rawPath: string;
  /** Upstream path with the query string, as resolveUpstreamPath gives it. */
  readonly upstreamPathWithQuery: string;
  /** '' or '?a=b' */
  readonly rawQuery: string;
  readonly clientIp: string;
}

/** A PluginRun whose log phase runs once `res` finished (upgrades: the caller has no later point to hook). */
export function startPluginRun(
  ctx: ProxyContext,
  chains: PluginChains,
  route: CompiledRoute,
  req: ClientRequest,
  res: ClientResponse,
  requestId: string,
  startedAt: number,
  f: PluginRequestFacts,
): PluginRun {
  const host = new ProxyHostRequest(req, f.protocol, f.scheme, f.host, f.rawPath, f.upstreamPathWithQuery, f.rawQuery, f.clientIp);
  const run = beginPluginRun(ctx, chains, route, req, requestId, host);
  (res as ServerResponse).once('finish', () => {
    run.timings.totalLatency = Math.round(performance.now() - startedAt);
    run.timings.responseSize += headerBlockBytes(res);
    scheduleLog(run);
  });
  return run;
}

/** A PluginRun without a log hook: call watchForLogPhase once access is over (the chain is final then). */
export function beginPluginRun(
  ctx: ProxyContext,
  chains: PluginChains,
  route: CompiledRoute,
  req: ClientRequest,
  requestId: string,
  host: ProxyHostRequest,
): PluginRun {
  host.trust = ctx.trust;
  host.bodyLimit = ctx.bodyBufferLimit;
  let log: PluginLogger;
  if (lastCtx === ctx) log = lastLog!;
  else {
    let known = loggers.get(ctx);
    if (!known) loggers.set(ctx, (known = pluginLogger(ctx.logger)));
    lastCtx = ctx;
    lastLog = log = known;
  }
  const contentLength = req.headers['content-length'];
  const timings = new ProxyRequestTimings(Date.now(), req, contentLength === undefined ? 0 : Number(contentLength) || 0);
  const run = new PluginRun(chains, host, route.pluginRoute ?? null, route.pluginService ?? null, requestId, log, timings.startedAt, timings);
  host.timings = timings;
  return run;
}

/**
 * A request's timings. Kong's request_length (request line, header block and body) is only read by log plugins,
 * so the head is measured on first use, not per request; a body without Content-Length is added as it is read
 * (a plugin buffering it, or the exchange streaming it upstream).
 */
class ProxyRequestTimings implements RequestTimings {
  upstreamLatency: number | null = null;
  proxyLatency: number | null = null;
  totalLatency: number | null = null;
  responseSize = 0;
  private headBytes = -1;

  constructor(readonly startedAt: number, private readonly req: ClientRequest, private bodyBytes: number) {}

  get requestSize(): number { return this.head() + this.bodyBytes; }
  set requestSize(bytes: number) { this.bodyBytes = bytes - this.head(); }

  private head(): number {
    if (this.headBytes < 0) this.headBytes = requestHeadBytes(this.req);
    return this.headBytes;
  }
}

/**
 * Once access chose the final chain: the log phase runs after the response finished. Skipped (no listener, no
 * closure) when no plugin of the request has a log handler — totalLatency is only read there.
 */
export function watchForLogPhase(run: PluginRun, res: ClientResponse, startedAt: number): void {
  if (!run.hasLogPhase) return;
  (res as ServerResponse).once('finish', () => logAfterResponse(run, startedAt, headerBlockBytes(res)));
}

/**
 * The response is over: the log phase is scheduled with the request's total latency and `headBytes` more sent.
 * Called on 'finish' (watchForLogPhase), or by a WebSocket tunnel when it closes (its response never finishes).
 */
export function logAfterResponse(run: PluginRun, startedAt: number, headBytes: number): void {
  const now = performance.now();
  run.timings.totalLatency = Math.round(now - startedAt);
  run.timings.responseSize += headBytes;
  if (run.trace !== null) run.trace.end = now;
  scheduleLog(run);
}

/** The request line and header block as the client sent them (`Name: value` lines; HTTP/2 counted alike). */
export function requestHeadBytes(req: ClientRequest): number {
  let n = req.method!.length + req.url!.length + req.httpVersion.length + 11; // ' ', ' HTTP/', CRLF, final CRLF
  const raw = req.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) n += Buffer.byteLength(raw[i]) + Buffer.byteLength(raw[i + 1]) + 4;
  return n;
}

/** Kong's bytes_sent counts the status line and headers: the block Node wrote (HTTP/2 has none to count). */
function headerBlockBytes(res: ClientResponse): number {
  const header = (res as { _header?: unknown })._header;
  return typeof header === 'string' ? Buffer.byteLength(header, 'latin1') : 0;
}

/** The upstream path after plugin changes (path and query), or `original` when none changed them. */
export function upstreamPathAfterPlugins(run: PluginRun, original: string): string {
  const r = run.request;
  if (r.pathOverride === null && r.queryOverride === null) return original;
  return r.getPath() + r.upstreamQuery();
}

/** Sets the framing headers of a body the plugins buffered (or replaced) in an upstream header list. */
export function frameBufferedBody(list: string[], length: number): void {
  for (let i = list.length - 2; i >= 0; i -= 2) {
    const name = list[i].toLowerCase();
    if (name === 'content-length' || name === 'transfer-encoding') list.splice(i, 2);
  }
  list.push('Content-Length', String(length));
}

/** Writes the response a plugin ended the request with (kong.response.exit / error). */
export function writePluginExit(ctx: ProxyContext, req: ClientRequest, res: ClientResponse, run: PluginRun, requestId: string, startedAt: number): void {
  const exit = run.response.exitResponse!;
  if (res.headersSent || res.destroyed) return;
  const headers: Record<string, string | string[] | number | undefined> = exit.headers;
  runHeaderFilter(run, exit.status, headers);
  const body = run.buffersResponse && run.response.failedPhase === null ? runBodyFilter(run, exit.body) : exit.body;
  if (run.response.failedPhase !== null) {
    // a filter plugin threw on the exit response: Kong's 500 stands in for it
    const e = PROXY_ERRORS.UNEXPECTED;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
  }
  headers['content-length'] = String(body.length);
  const flags = ctx.flags;
  if (flags.requestId) headers['x-kong-request-id'] = requestId;
  const latency = String(Math.round(performance.now() - startedAt));
  if (run.answeredAsProxied) {
    if (flags.proxyLatency) headers['x-kong-proxy-latency'] = latency;
  } else if (flags.responseLatency) headers['x-kong-response-latency'] = latency;
  if (flags.server) headers.server = SERVER_TOKEN;
  const h2 = req.httpVersionMajor === 2;
  if (exit.proxied) {
    // a function's answer carries no hop-by-hop headers (HTTP/2 forbids them), and the gateway's Via as proxied ones do
    for (const name of HOP_BY_HOP) delete headers[name];
    if (flags.via) {
      const via = viaFor(`${req.httpVersionMajor}.${req.httpVersionMinor}`);
      const existing = headers.via;
      headers.via = existing === undefined ? via : `${Array.isArray(existing) ? existing.join(', ') : String(existing)}, ${via}`;
    }
  }
  // a body a plugin stopped reading (too large) is not drained: the connection closes after the answer
  const abandonedBody = run.request.bodyBuffered && !req.readableEnded;
  if ((ctx.draining || abandonedBody) && !h2) headers.connection = 'close';
  run.timings.responseSize = body.length;
  // the rest of an unread request body is drained so the connection stays usable
  if (!run.request.bodyBuffered && !req.readableEnded) req.resume();
  (res as ServerResponse).writeHead(exit.status, headers as Record<string, string>);
  res.end(body);
}

/**
 * The whole body, or RequestBodyTooLarge once it passes `limit` (0: none): a declared length over it is refused
 * before anything is read, a body of unknown length when its bytes pass it. What was read is dropped and the
 * request stops being read (writePluginExit closes the connection), so a client cannot make a plugin hold more.
 */
function readAll(req: ClientRequest, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (limit > 0 && declared !== undefined && Number(declared) > limit) return Promise.reject(new RequestBodyTooLarge(Number(declared), limit));
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (limit > 0 && size > limit) {
        done();
        req.pause();
        parts.length = 0;
        return reject(new RequestBodyTooLarge(size, limit));
      }
      parts.push(c);
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(parts, size));
    };
    const onError = (err: Error) => {
      done();
      reject(err);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}
