// Bridge between the proxy's request path and libs/plugins: builds a PluginRun for routes that have plugins,
// writes a plugin's exit response, and schedules the log phase once the response finished. Routes without
// plugins never reach this file (handler.ts checks route.plugins.length).
import type { ServerResponse } from 'node:http';
import {
  PluginRun, pluginLogger, runBodyFilter, runHeaderFilter, scheduleLog, type HostRequest, type PluginChains, type PluginLogger,
} from '@tollgate/plugins';
import type { CompiledRoute } from '../compile/types';
import type { ProxyContext } from './context';
import type { ClientRequest, ClientResponse } from './errors';
import { SERVER_TOKEN } from './identity';

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
  ) {
    this.method = req.method!;
    this.headers = req.headers;
    this.upstreamPath = rawQueryWithMark === '' ? upstreamPathWithQuery : upstreamPathWithQuery.slice(0, upstreamPathWithQuery.length - rawQueryWithMark.length);
    this.rawQuery = rawQueryWithMark === '' ? '' : rawQueryWithMark.slice(1);
  }

  readBody(): Promise<Buffer> { return readAll(this.req); }
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
  res.once('finish', () => {
    run.timings.totalLatency = Math.round(performance.now() - startedAt);
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
  let log: PluginLogger;
  if (lastCtx === ctx) log = lastLog!;
  else {
    let known = loggers.get(ctx);
    if (!known) loggers.set(ctx, (known = pluginLogger(ctx.logger)));
    lastCtx = ctx;
    lastLog = log = known;
  }
  const run = new PluginRun(chains, host, route.pluginRoute ?? null, route.pluginService ?? null, requestId, log, Date.now());
  const contentLength = req.headers['content-length'];
  run.timings.requestSize = contentLength === undefined ? 0 : Number(contentLength);
  return run;
}

/**
 * Once access chose the final chain: the log phase runs after the response finished. Skipped (no listener, no
 * closure) when no plugin of the request has a log handler — totalLatency is only read there.
 */
export function watchForLogPhase(run: PluginRun, res: ClientResponse, startedAt: number): void {
  if (!run.hasLogPhase) return;
  (res as ServerResponse).once('finish', () => {
    run.timings.totalLatency = Math.round(performance.now() - startedAt);
    scheduleLog(run);
  });
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
  const body = run.buffersResponse ? runBodyFilter(run, exit.body) : exit.body;
  headers['content-length'] = String(body.length);
  const flags = ctx.flags;
  if (flags.requestId) headers['x-kong-request-id'] = requestId;
  if (flags.responseLatency) headers['x-kong-response-latency'] = String(Math.round(performance.now() - startedAt));
  if (flags.server) headers.server = SERVER_TOKEN;
  const h2 = req.httpVersionMajor === 2;
  if (ctx.draining && !h2) headers.connection = 'close';
  run.timings.responseSize = body.length;
  // the rest of an unread request body is drained so the connection stays usable
  if (!run.request.bodyBuffered && !req.readableEnded) req.resume();
  (res as ServerResponse).writeHead(exit.status, headers as Record<string, string>);
  res.end(body);
}

function readAll(req: ClientRequest): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => resolve(Buffer.concat(parts)));
    req.on('error', reject);
  });
}
