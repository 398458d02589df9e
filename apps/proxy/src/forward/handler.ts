// The request entry point of every HTTP listener: route, guard, then hand over to an Exchange.
import type { ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { TLSSocket } from 'node:tls';
import { PROXY_ERRORS } from '@tollgate/errors';
import { resolveUpstreamPath } from '@tollgate/router';
import type { HttpMatch, HttpRequestInput } from '@tollgate/router/types';
import type { CompiledRoute, CompiledService } from '../compile/types';
import { hostHeaderFor } from '../compile/compile-service';
import type { BalancerContext } from '../upstream/types';
import { logWhenFinished } from './access-line';
import { clientOf, originalDestinationOf } from './client-info';
import type { ListenerInfo, ProxyContext } from './context';
import { sendProxyError, type ClientRequest, type ClientResponse } from './errors';
import { Exchange, onClientClose, tagResponse } from './exchange';
import { proxyGrpc } from './grpc';
import { viaFor } from './identity';
import { nextRequestId } from './request-id';
import { buildUpstreamHeaders } from './upstream-headers';
import { applyRequestHeaderChanges, runAccessPhases, type PluginRun } from '@tollgate/plugins';
import { ProxyHostRequest, beginPluginRun, frameBufferedBody, upstreamPathAfterPlugins, watchForLogPhase, writePluginExit } from './plugin-phase';

type UpstreamHeaders = ReturnType<typeof buildUpstreamHeaders>;

export type RequestHandler = (req: ClientRequest, res: ClientResponse) => void;

export function createRequestHandler(ctx: ProxyContext, listener: ListenerInfo): RequestHandler {
  const accessLog = ctx.accessLog;
  return function onProxyRequest(req, res) {
    const requestId = nextRequestId();
    if (accessLog !== null) logWhenFinished(accessLog, req, res, listener, requestId);
    try {
      handleRequest(ctx, listener, req, res, requestId);
    } catch (err) {
      // The proxy never lets an exception cross a request (DESIGN.md rule 8).
      ctx.logger.error({ err: (err as Error).stack }, 'unexpected error while proxying');
      const e = PROXY_ERRORS.UNEXPECTED;
      sendProxyError(req, res, e.status, e.message, requestId, performance.now(), ctx.errors, false);
    }
  };
}

function handleRequest(ctx: ProxyContext, listener: ListenerInfo, req: ClientRequest, res: ClientResponse, requestId: string): void {
  const startedAt = performance.now();
  const cfg = ctx.runtime.current; // read once: this request keeps this config for its whole life
  const client = clientOf(ctx, req);
  const headers = req.headers;

  if (ctx.maxHeaders > 0 && req.rawHeaders.length > ctx.maxHeaders * 2) {
    const e = PROXY_ERRORS.HEADER_TOO_LARGE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, true, CLOSE);
  }

  const url = req.url!;
  const q = url.indexOf('?');
  const rawPath = q === -1 ? url : url.slice(0, q);
  const rawQuery = q === -1 ? '' : url.slice(q);
  const h2 = req.httpVersionMajor === 2;
  const host = (h2 ? (headers[':authority'] as string | undefined) ?? headers.host : headers.host) ?? '';
  const contentType = headers['content-type'];
  const grpc = h2 && typeof contentType === 'string' && contentType.startsWith('application/grpc');
  const scheme = listener.scheme;
  const input: HttpRequestInput = {
    protocol: grpc ? (scheme === 'https' ? 'grpcs' : 'grpc') : scheme,
    method: req.method!,
    host,
    path: rawPath,
    headers,
    sni: scheme === 'https' ? ((req.socket as TLSSocket).servername || undefined) : undefined,
    // Behind TPROXY the port the client dialled is the original destination, not the listener's (Kong: $server_port).
    port: originalDestinationOf(req.socket)?.port ?? listener.port,
  };
  const match = cfg.router.match(input);
  if (match === null) {
    const e = PROXY_ERRORS.NO_ROUTE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
  }
  const route = cfg.routes.get(match.route.id)!;

  if (route.httpsOnly) {
    const forwardedProto = client.trusted ? headers['x-forwarded-proto'] : undefined;
    if (scheme !== 'https' && forwardedProto !== 'https') return redirectToHttps(ctx, req, res, route.redirectStatus, host, client.trusted, requestId, startedAt);
  }
  const service = route.service;
  if (service === null) {
    const e = PROXY_ERRORS.NO_SERVICE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
  }

  const contentLength = headers['content-length'];
  const chunked = headers['transfer-encoding'] !== undefined;
  if (ctx.maxBodySize > 0 && contentLength !== undefined && Number(contentLength) > ctx.maxBodySize) {
    const e = PROXY_ERRORS.PAYLOAD_TOO_LARGE;
    return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, true, CLOSE);
  }
  // HTTP/2 requests carry no framing headers: a body is there unless the stream already ended.
  const hasBody = h2 ? !(req as Http2ServerRequest).stream.endAfterHeaders : chunked || (contentLength !== undefined && contentLength !== '0');

  const clientIp =
    client.trusted && ctx.trust.headerName !== null ? ctx.trust.realIp(client.peerIp, true, headers[ctx.trust.headerName]) : client.clientIp;
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
  });

  const path = resolveUpstreamPath(match, service.path, rawQuery);
  if (route.plugins.length === 0) {
    return proxyUpstream(ctx, req, res, route, service, match, clientIp, requestId, startedAt, path, up, hasBody, null, null);
  }
  const pluginHost = new ProxyHostRequest(req, input.protocol, scheme, host, rawPath, path, rawQuery, clientIp);
  const run = beginPluginRun(ctx, cfg.plugins!, route, req, requestId, pluginHost);
  const pending = runAccessPhases(run);
  if (pending === undefined) {
    watchForLogPhase(run, res, startedAt);
    return afterAccess(ctx, req, res, route, service, match, clientIp, requestId, startedAt, path, up, hasBody, run);
  }
  pending
    .then(
      () => {
        watchForLogPhase(run, res, startedAt);
        afterAccess(ctx, req, res, route, service, match, clientIp, requestId, startedAt, path, up, hasBody, run);
      },
      (err) => {
        watchForLogPhase(run, res, startedAt);
        throw err;
      },
    )
    .catch((err) => failAfterPlugins(ctx, req, res, err, requestId, startedAt));
}

/** After the access phase: a plugin's exit, or the upstream request with the plugins' changes applied. */
function afterAccess(
  ctx: ProxyContext, req: ClientRequest, res: ClientResponse, route: CompiledRoute, service: CompiledService, match: HttpMatch,
  clientIp: string, requestId: string, startedAt: number, path: string, up: UpstreamHeaders, hasBody: boolean, run: PluginRun,
): void {
  if (run.response.exitResponse !== null) return writePluginExit(ctx, req, res, run, requestId, startedAt);
  applyRequestHeaderChanges(run, up.list);
  const upstreamPath = upstreamPathAfterPlugins(run, path);
  if (!run.request.bodyBuffered) {
    return proxyUpstream(ctx, req, res, route, service, match, clientIp, requestId, startedAt, upstreamPath, up, hasBody, run, null);
  }
  run.request.bufferedBody().then(
    (body) => {
      frameBufferedBody(up.list, body.length);
      proxyUpstream(ctx, req, res, route, service, match, clientIp, requestId, startedAt, upstreamPath, up, body.length > 0, run, body);
    },
    (err) => failAfterPlugins(ctx, req, res, err, requestId, startedAt),
  );
}

function failAfterPlugins(ctx: ProxyContext, req: ClientRequest, res: ClientResponse, err: unknown, requestId: string, startedAt: number): void {
  ctx.logger.error({ err: (err as Error)?.stack ?? String(err) }, 'unexpected error while running plugins');
  const e = PROXY_ERRORS.UNEXPECTED;
  sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
}

function proxyUpstream(
  ctx: ProxyContext, req: ClientRequest, res: ClientResponse, route: CompiledRoute, service: CompiledService, match: HttpMatch,
  clientIp: string, requestId: string, startedAt: number, path: string, up: UpstreamHeaders, hasBody: boolean,
  run: PluginRun | null, body: Buffer | null,
): void {
  const headers = req.headers;
  const url = req.url!;
  const q = url.indexOf('?');
  const h2 = req.httpVersionMajor === 2;
  if (service.grpc) {
    if (!h2) {
      const e = PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
      return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, true);
    }
    return forwardGrpc(ctx, req as Http2ServerRequest, res as Http2ServerResponse, route, service, match, clientIp, requestId, startedAt, path, up.list);
  }
  ctx.inflight++;
  const ex = new Exchange(ctx, req, res, route, service, requestId, startedAt, path, up.list, up.clientHost, hasBody, up.wantsTrailers);
  if (run !== null) {
    ex.plugins = run;
    ex.bufferedBody = body;
    if (run.request.methodOverride !== null) ex.methodOverride = run.request.methodOverride;
  }
  if (service.upstream !== null) {
    ex.balancerCtx = {
      clientIp,
      headers: headers as BalancerContext['headers'],
      cookies: (headers.cookie as string | undefined) ?? null,
      path: match.path,
      query: q === -1 ? null : url.slice(q + 1),
      captures: match.captures,
      consumerId: run?.consumer?.id ?? null,
      credentialId: run?.credential?.id ?? null,
      get triedPeers() {
        return ex.tried ?? undefined;
      },
    };
  }
  tagResponse(res, ex);
  // on, not once: 'close' fires once anyway, and once() allocates a wrapper per request
  (res as ServerResponse).on('close', onClientClose);
  const contentLength = headers['content-length'];
  if (body === null && hasBody && ctx.maxBodySize > 0 && contentLength === undefined) ex.countBody = true;
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

function stripPort(host: string): string {
  if (host.startsWith('[')) return host.slice(0, host.indexOf(']') + 1);
  const colon = host.indexOf(':');
  return colon === -1 ? host : host.slice(0, colon);
}


function forwardGrpc(
  ctx: ProxyContext,
  req: Http2ServerRequest,
  res: Http2ServerResponse,
  route: CompiledRoute,
  service: CompiledService,
  match: HttpMatch,
  clientIp: string,
  requestId: string,
  startedAt: number,
  path: string,
  headers: string[],
): void {
  let host = service.host;
  let port = service.port;
  let hostHeader = service.defaultHostHeader;
  if (service.upstream !== null) {
    const peer = service.upstream.pick({ clientIp, headers: req.headers, path: match.path, query: null, captures: match.captures, consumerId: null, credentialId: null });
    if (peer === null) {
      const e = PROXY_ERRORS.NO_PEER;
      return sendProxyError(req, res, e.status, e.message, requestId, startedAt, ctx.errors, false);
    }
    service.upstream.release(peer);
    host = peer.ip;
    port = peer.port;
    hostHeader = hostHeaderFor(peer.hostHeader, port, service.protocol);
  }
  if (route.preserveHost && req.headers[':authority']) hostHeader = req.headers[':authority'] as string;
  proxyGrpc({ ctx, req, res, service, requestId, startedAt, path, headers, hostHeader, host, port });
}
