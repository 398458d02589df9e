// The request entry point of every HTTP listener: route, guard, then hand over to an Exchange.
import { resolveName, srvAddress } from '../upstream/dns-lookup';
import { IncomingMessage, type IncomingHttpHeaders, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import type { Http2ServerRequest } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { HTTP_VERSION_NOT_SUPPORTED, missingHost, PROXY_ERRORS, unsupportedHttpVersion } from '@tollgate/errors';
import { resolveUpstreamPath } from '@tollgate/router';
import type { HttpMatch, HttpRequestInput, HttpRouter } from '@tollgate/router/types';
import type { CompiledRoute, CompiledService } from '../compile/types';
import { withBalancerOverrides } from '../compile/compile-service';
import { logWhenFinished } from './access-line';
import { clientOf, originalDestinationOf, realClientIp } from './client-info';
import type { ListenerInfo, ProxyContext } from './context';
import { sendProxyError, type ClientRequest, type ClientResponse } from './errors';
import { Exchange, onClientClose, tagResponse } from './exchange';
import { callGrpcForPlugins, forwardGrpc } from './grpc';
import { balancerContextFor, balancerOf, namedDestination } from './target';
import { SERVER_TOKEN, viaFor } from './identity';
import { nextRequestId } from './request-id';
import type { RequestState } from './request-state';
import { buildUpstreamHeaders, type UpstreamHeaders } from './upstream-headers';
import { tunnel, UpgradeResponse } from './websocket';
import { RequestTrace, applyRequestHeaderChanges, capturesLogs, recordsTraces, runAccessPhases, type PluginRun } from '@tollgate/plugins';
import { ProxyHostRequest, beginPluginRun, frameBufferedBody, upstreamPathAfterPlugins, watchForLogPhase, writePluginExit } from './plugin-phase';
import { http1RequestHasBody } from './request-body';

export type RequestHandler = (req: ClientRequest, res: ClientResponse) => void;

export function createRequestHandler(ctx: ProxyContext, listener: ListenerInfo): RequestHandler {
  return function onProxyRequest(req, res) {
    admit(ctx, listener, req, res, observe(ctx, listener, req, res));
  };
}

/**
 * What every request gets on arrival, upgrades included (their response closes when the tunnel does): its id, its
 * access line and its count in the release stats, both taken when the response closes. Returns the id.
 */
function observe(ctx: ProxyContext, listener: ListenerInfo, req: ClientRequest, res: ClientResponse): string {
  const requestId = nextRequestId();
  // $remote_addr as nginx logs it: after the realip rewrite, read now (an HTTP/2 stream's socket view is gone at close)
  if (ctx.accessLog !== null) logWhenFinished(ctx.accessLog, req, res, listener, requestId, ctx.accessLogFormat, remoteAddrOf(ctx, req));
  const releaseStats = ctx.releaseStats;
  if (releaseStats) {
    // the configuration the request starts under answers for it, even if a newer one lands meanwhile
    const hash = ctx.runtime.current.hash;
    (res as ServerResponse).once('close', () => releaseStats.record(hash, res.statusCode));
  }
  return requestId;
}

function remoteAddrOf(ctx: ProxyContext, req: ClientRequest): string | undefined {
  const ip = realClientIp(ctx, req);
  return ip === '' ? undefined : ip; // a client already gone has no address left to read
}

export type UpgradeHandler = (req: IncomingMessage, socket: Duplex, head: Buffer) => void;

/**
 * Upgrade requests (WebSocket) take the same way as every other request: refusals, routing, https-only,
 * plugins and balancing. Only the forward step differs: it opens a tunnel (websocket.ts). Until then the answer
 * is written through a ServerResponse bound to the raw socket, so errors and redirects are the HTTP ones.
 */
export function createUpgradeHandler(ctx: ProxyContext, listener: ListenerInfo): UpgradeHandler {
  return function onUpgrade(req, socket, head) {
    socket.on('error', () => socket.destroy());
    let res: UpgradeResponse;
    try {
      res = new UpgradeResponse(req, socket as Socket, head);
    } catch (err) {
      ctx.logger.error({ err: (err as Error)?.stack ?? String(err) }, 'unexpected error while proxying an upgrade');
      socket.destroy();
      return;
    }
    admit(ctx, listener, req, res, observe(ctx, listener, req, res));
  };
}

function admit(ctx: ProxyContext, listener: ListenerInfo, req: ClientRequest, res: ClientResponse, requestId: string): void {
  try {
    const refusal = refusalFor(ctx, req);
    if (refusal !== null) return sendProxyError(req, res, refusal.status, refusal.message, requestId, performance.now(), ctx.errors, true, CLOSE);
    handleRequest(ctx, listener, req, res, requestId);
  } catch (err) {
    // The proxy never lets an exception cross a request (DESIGN.md rule 8).
    failRequest(ctx, req, res, err, requestId, performance.now(), 'unexpected error while proxying');
  }
}

/** The one place an exception becomes Kong's 500 for its request (or a cut connection once headers left). */
export function failRequest(ctx: ProxyContext, req: ClientRequest, res: ClientResponse, err: unknown, requestId: string, startedAt: number, what: string): void {
  try {
    ctx.logger.error({ err: (err as Error)?.stack ?? String(err), request_id: requestId }, what);
    const e = PROXY_ERRORS.UNEXPECTED;
    sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
  } catch {
    res.destroy();
  }
}

/**
 * Requests nginx refuses before any routing: a request line naming another HTTP version (505), a second Host
 * header or none on HTTP/1.1 (400), a request target longer than a header buffer (414), and TRACE (405, as Kong). The parsed version
 * says nothing about the connection (`GET / HTTP/2.0` parses as major 2): only the request's stream does.
 */
function refusalFor(ctx: ProxyContext, req: ClientRequest): { status: number; message: string } | null {
  if (isUnsupportedVersion(req)) return HTTP_VERSION_NOT_SUPPORTED;
  if (req.url!.length > ctx.maxRequestLine) return PROXY_ERRORS.URI_TOO_LONG;
  if (req.method === 'TRACE') return PROXY_ERRORS.METHOD_NOT_ALLOWED;
  if (req.httpVersionMajor === 1 && (hasSecondHost(req.rawHeaders) || lacksHost(req))) return BAD_REQUEST;
  return null;
}

const BAD_REQUEST = { status: 400, message: 'Bad request' };
/** Taken once: a binding re-exported by a library's index is a getter call on every use, and these run per request. */
const isUnsupportedVersion = unsupportedHttpVersion;
const lacksHost = missingHost;

// hot path: no allocation, names compared only when the length matches
function hasSecondHost(raw: string[]): boolean {
  let seen = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    if (name.length === 4 && name.toLowerCase() === 'host') {
      if (seen) return true;
      seen = true;
    }
  }
  return false;
}

/** `GET http://h/path HTTP/1.1`: nginx routes on the target's host and path and ignores the Host header. */
function originForm(url: string): { host: string; path: string } | null {
  const m = ABSOLUTE_FORM.exec(url);
  if (m === null) return null;
  return { host: m[1], path: m[2] || '/' };
}
const ABSOLUTE_FORM = /^https?:\/\/([^/?#@\s]+)([/?][^#]*)?$/i;

/**
 * The headers Kong's router would see of a request with more than lua_max_req_headers: the first that many, with
 * Node's own rules for repeated names; and Kong's error line, when some route matches on headers.
 */
function firstHeaders(ctx: ProxyContext, router: HttpRouter, req: ClientRequest, requestId: string): IncomingHttpHeaders {
  if (router.matchesHeaders) {
    const max = ctx.maxHeaders;
    ctx.logger.error(
      { request_id: requestId },
      `router: not all request headers were read in order to determine the route as the request contains more than ${max} headers, ` +
        `route selection may be inaccurate, consider increasing the 'lua_max_req_headers' configuration value (currently at ${max})`,
    );
  }
  const first = new IncomingMessage(null as unknown as Socket) as IncomingMessage & { _addHeaderLines(raw: string[], n: number): void };
  first._addHeaderLines(req.rawHeaders, ctx.maxHeaders * 2);
  return first.headers;
}

/** The first value of a header, as the upstream headers take it (`name` lower case). */
function firstValue(raw: readonly string[], name: string): string | undefined {
  for (let i = 0; i < raw.length; i += 2) if (raw[i].length === name.length && raw[i].toLowerCase() === name) return raw[i + 1];
  return undefined;
}

function handleRequest(ctx: ProxyContext, listener: ListenerInfo, req: ClientRequest, res: ClientResponse, requestId: string): void {
  const startedAt = performance.now();
  const cfg = ctx.runtime.current; // read once: this request keeps this config for its whole life
  const client = clientOf(ctx, req);
  const headers = req.headers;
  // lua_max_req_headers: the router reads the first that many headers, the upstream still gets them all (Kong)
  const routerHeaders = ctx.maxHeaders > 0 && req.rawHeaders.length > ctx.maxHeaders * 2 ? firstHeaders(ctx, cfg.router, req, requestId) : headers;

  let url = req.url!;
  let targetHost: string | undefined;
  if (url.charCodeAt(0) !== 47 /* '/' */) {
    const absolute = originForm(url);
    if (absolute !== null) {
      url = absolute.path[0] === '?' ? `/${absolute.path}` : absolute.path;
      req.url = url; // the upstream gets the origin form
      targetHost = absolute.host;
    }
  }
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q);
  const h2 = req.httpVersionMajor === 2;
  const host = targetHost ?? (h2 ? (headers[':authority'] as string | undefined) ?? headers.host : headers.host) ?? '';
  const contentType = headers['content-type'];
  const grpc = h2 && typeof contentType === 'string' && contentType.startsWith('application/grpc');
  const scheme = listener.scheme;
  const input: HttpRequestInput = {
    protocol: grpc ? (scheme === 'https' ? 'grpcs' : 'grpc') : scheme,
    method: req.method!,
    host,
    path: rawPath,
    headers: routerHeaders,
    sni: scheme === 'https' ? ((req.socket as TLSSocket).servername || undefined) : undefined,
    // Behind TPROXY the port the client dialled is the original destination, not the listener's (Kong: $server_port).
    port: originalDestinationOf(req.socket)?.port ?? listener.port,
  };
  // the router span (tracing_instrumentations): two clock reads only when something traces
  const routerStart = recordsTraces() ? performance.now() : 0;
  const match = cfg.router.match(input);
  const routerEnd = routerStart === 0 ? 0 : performance.now();
  if (match === null) {
    const e = PROXY_ERRORS.NO_ROUTE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
  }
  const route = cfg.routes.get(match.route.id)!;

  if (route.httpsOnly || route.grpcsOnly) {
    // Kong's forwarded_proto: a trusted client's X-Forwarded-Proto (its first value, as the upstream gets it) wins
    // over the listener's scheme, both ways
    const forwardedProto = client.trusted ? firstValue(req.rawHeaders, 'x-forwarded-proto') : undefined;
    const secure = (forwardedProto ?? scheme) === 'https';
    if (!secure && route.httpsOnly) return redirectToHttps(ctx, req, res, route.redirectStatus, host, client.trusted, requestId, startedAt);
    if (!secure && grpc) return grpcsRequired(ctx, res, requestId, startedAt);
  }
  // Kong's router lets any request match a gRPC route (traditional_compatible never tests the protocol; expressions
  // reads grpc/grpcs as net.protocol "http"/"https"), and its runloop then refuses what is not a gRPC call over HTTP/2
  if (route.grpc && !grpc) {
    const e = typeof contentType === 'string' && contentType.startsWith('application/grpc') ? PROXY_ERRORS.HTTP2_REQUIRED : PROXY_ERRORS.NON_GRPC_REQUEST;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false, e === PROXY_ERRORS.HTTP2_REQUIRED ? UPGRADE_H2 : undefined);
  }
  const service = route.service;
  if (service === null) {
    const e = PROXY_ERRORS.NO_SERVICE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
  }

  const contentLength = headers['content-length'];
  if (ctx.maxBodySize > 0 && contentLength !== undefined && Number(contentLength) > ctx.maxBodySize) {
    const e = PROXY_ERRORS.PAYLOAD_TOO_LARGE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, true, CLOSE);
  }
  // HTTP/2 requests carry no framing headers: a body is there unless the stream already ended.
  const hasBody = h2 ? !(req as Http2ServerRequest).stream.endAfterHeaders : http1RequestHasBody(headers);

  const clientIp = realClientIp(ctx, req, client);
  const prefix = route.stripPath && match.matchedPath !== null && match.matchedPath !== '/' ? match.matchedPath : null;
  const up = buildUpstreamHeaders(req, {
    scheme,
    listenPort: listener.portText,
    peerIp: client.peerIp,
    clientIp,
    trusted: client.trusted,
    prefix,
    rawPath,
    via: viaFor(req.httpVersion),
    requestId: ctx.flags.upstreamRequestId ? requestId : null,
    targetHost,
  });

  const state: RequestState = {
    ctx, cfg, req, res, requestId, startedAt, route, service, match, clientIp, rawQuery,
    path: resolveUpstreamPath(match, service.path, rawQuery),
    up, hasBody, run: null, body: null,
    // HTTP/2 fields come from another parser, with other rules: all are tested
    checkedFields: h2 ? 0 : up.list.length,
  };
  if (route.plugins.length === 0) return proxyUpstream(state);
  const pluginHost = new ProxyHostRequest(req, input.protocol, scheme, host, rawPath, state.path, rawQuery, clientIp, client.trusted);
  pluginHost.peerIp = client.peerIp;
  pluginHost.peerPort = req.socket.remotePort;
  pluginHost.serverPort = input.port;
  pluginHost.uriCaptures = match.captures;
  pluginHost.upstreamNames = cfg.upstreamsByName;
  const run = (state.run = beginPluginRun(ctx, cfg.plugins!, route, req, requestId, pluginHost));
  if (routerStart !== 0) {
    run.trace = new RequestTrace(startedAt, routerStart, routerEnd);
    if (capturesLogs()) run.captureLogs();
  }
  const pending = runAccessPhases(run);
  if (pending === undefined) {
    watchForLogPhase(run, res, startedAt);
    return afterAccess(state, run);
  }
  pending
    .then(
      () => {
        watchForLogPhase(run, res, startedAt);
        afterAccess(state, run);
      },
      (err) => {
        watchForLogPhase(run, res, startedAt);
        throw err;
      },
    )
    .catch((err) => failAfterPlugins(state, err));
}

/** After the access phase: a plugin's exit, or the upstream request with the plugins' changes applied. */
function afterAccess(s: RequestState, run: PluginRun): void {
  if (run.response.exitResponse !== null) return writePluginExit(s.ctx, s.req, s.res, run, s.requestId, s.startedAt);
  applyRequestHeaderChanges(run, s.up.list);
  // every protocol's forward step reads retries and timeouts off s.service
  if (run.balancerOverrides !== null) s.service = withBalancerOverrides(s.service, run.balancerOverrides);
  // the plugins' fields follow the ones already checked (from the first pair when they set Host)
  if (s.checkedFields !== 0) s.checkedFields = run.request.upstreamFieldsAt;
  s.path = upstreamPathAfterPlugins(run, s.path);
  if (!run.request.bodyBuffered) return proxyUpstream(s);
  run.request.bufferedBody().then(
    (body) => {
      frameBufferedBody(s.up.list, body.length);
      s.checkedFields = 0; // the framing fields moved: every field is tested
      s.body = body;
      s.hasBody = body.length > 0;
      proxyUpstream(s);
    },
    (err) => failAfterPlugins(s, err),
  );
}

function failAfterPlugins(s: RequestState, err: unknown): void {
  failRequest(s.ctx, s.req, s.res, err, s.requestId, s.startedAt, 'unexpected error while running plugins');
}

/** The forward step: the only place the protocols part ways (HTTP exchange, gRPC stream, WebSocket tunnel). */
function proxyUpstream(s: RequestState, balancer = balancerOf(s.cfg, s.service, s.run), nameAsked = false): void {
  // every protocol balances alike: the same upstream (or set_upstream's) and the same hash inputs
  if (balancer !== null && balancer.resolving) {
    balancer.ready().then(() => proxyUpstream(s, balancer), (err) => failAfterPlugins(s, err));
    return;
  }
  // a name (service host or set_target's) never resolved yet: its answer may be SRV records, which choose the
  // address and port (asked once: a name that does not resolve is the connect's to report)
  const named = nameAsked ? null : namedDestination(s.service, s.run, balancer);
  if (named !== null && srvAddress(named.host, named.port) === undefined) {
    resolveName(named.host).then(() => proxyUpstream(s, balancer, true), (err) => failAfterPlugins(s, err));
    return;
  }
  const { ctx, req, res, service, run } = s;
  const h2 = req.httpVersionMajor === 2;
  const bctx = balancer === null ? null : balancerContextFor(req, s.match, s.clientIp, s.rawQuery, run);
  if (service.grpc) {
    // a plugin made the request a gRPC call (grpc-web, grpc-gateway): one h2 call with its buffered body
    if (run !== null && run.request.grpcCall) {
      return callGrpcForPlugins(s, balancer, bctx, { run, body: s.body ?? Buffer.alloc(0) });
    }
    if (!h2) {
      const e = PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
      return sendProxyError(req, res, e.status, e.message, s.requestId, s.startedAt, ctx.errors, true);
    }
    return forwardGrpc(s, balancer, bctx);
  }
  if (res instanceof UpgradeResponse) return tunnel(s, res, balancer, bctx);
  ctx.inflight++;
  const ex = new Exchange(s);
  ex.upstream = balancer;
  ex.balancerCtx = bctx;
  if (run !== null && run.request.methodOverride !== null) ex.methodOverride = run.request.methodOverride;
  tagResponse(res, ex);
  // on, not once: 'close' fires once anyway, and once() allocates a wrapper per request
  (res as ServerResponse).on('close', onClientClose);
  if (s.body === null && s.hasBody && req.headers['content-length'] === undefined && (ctx.maxBodySize > 0 || s.run?.hasLogPhase === true)) ex.countBody = true;
  if (ctx.draining && !h2) (res as ServerResponse).shouldKeepAlive = false;
  ex.dispatch();
}

const CLOSE = ['Connection', 'close'];

function redirectToHttps(
  ctx: ProxyContext,
  req: ClientRequest,
  res: ClientResponse,
  status: number,
  host: string,
  trusted: boolean,
  requestId: string,
  startedAt: number,
): void {
  if (status === 426) {
    const e = PROXY_ERRORS.HTTPS_REQUIRED;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false, UPGRADE_TLS);
  }
  const forwardedHost = trusted ? (req.headers['x-forwarded-host'] as string | undefined) : undefined;
  const name = stripPort(forwardedHost ?? host);
  const headers: Record<string, string> = { location: `https://${name}${req.url}`, 'content-length': '0' };
  if (ctx.flags.requestId) headers['x-kong-request-id'] = requestId;
  (res as ServerResponse).writeHead(status, headers);
  res.end();
}

const UPGRADE_TLS = ['Connection', 'Upgrade', 'Upgrade', 'TLS/1.2, HTTP/1.1'];
const UPGRADE_H2 = ['Connection', 'Upgrade', 'Upgrade', 'HTTP/2'];

/** Kong's answer to a gRPC call over plain text on a grpcs-only route: a gRPC status, never the upstream. */
function grpcsRequired(ctx: ProxyContext, res: ClientResponse, requestId: string, startedAt: number): void {
  const headers: Record<string, string> = { 'content-type': 'application/grpc', 'grpc-status': '1', 'grpc-message': 'gRPC request matched gRPCs route', 'content-length': '0' };
  if (ctx.flags.requestId) headers['x-kong-request-id'] = requestId;
  if (ctx.flags.responseLatency) headers['x-kong-response-latency'] = String(Math.round(performance.now() - startedAt));
  if (ctx.flags.server) headers.server = SERVER_TOKEN;
  (res as ServerResponse).writeHead(200, headers);
  res.end();
}

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}

