// Thin adapter from the proxy to libs/errors: picks the body format and writes a Kong-generated response with
// Kong's headers. Lua-generated errors (no route, no peer, https required) default to JSON; errors nginx itself
// generates (502, 504, 413, 400 ...) fall back to the request Content-Type, then error_default_type (§2.4).
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import {
  CONTENT_TYPES,
  grpcStatusFor,
  isHttp2Request,
  negotiateErrorFormat,
  renderErrorBody,
  type ErrorFormat,
} from '@tollgate/errors';
import type { HeaderFlags } from './header-flags';
import type { H1Response } from '../server/h1-response';
import { SERVER_TOKEN, VIA_1_1 } from './identity';

export type ClientRequest = IncomingMessage | Http2ServerRequest;
/** node:http's (Admin-like servers, HTTP/2 fallback, upgrades), HTTP/2's, or the lean HTTP/1 server's (server/h1-response.ts). */
export type ClientResponse = ServerResponse | Http2ServerResponse | H1Response;

const FORMAT_BY_TYPE: ReadonlyMap<string, ErrorFormat> = new Map([
  ['application/json', 'json'],
  ['text/plain', 'text'],
  ['text/html', 'html'],
  ['application/xml', 'xml'],
  ['text/xml', 'xml'],
]);

export interface ErrorSettings {
  readonly flags: HeaderFlags;
  readonly defaultFormat: ErrorFormat;
}

export function defaultErrorFormat(errorDefaultType: string | undefined): ErrorFormat {
  return FORMAT_BY_TYPE.get(errorDefaultType ?? 'text/plain') ?? 'text';
}

function formatFor(req: ClientRequest, nginxGenerated: boolean, settings: ErrorSettings): ErrorFormat {
  const accept = req.headers.accept;
  if (accept || !nginxGenerated) return negotiateErrorFormat(accept);
  const contentType = req.headers['content-type'];
  if (contentType) {
    const semi = contentType.indexOf(';');
    const type = (semi === -1 ? contentType : contentType.slice(0, semi)).trim().toLowerCase();
    const byType = FORMAT_BY_TYPE.get(type);
    if (byType) return byType;
  }
  return settings.defaultFormat;
}

/** The format of an answer nginx itself generates before any routing (a CONNECT, say): Accept, then the request's
 *  Content-Type, then error_default_type, as Kong's error handler picks it. */
export function generatedErrorFormat(req: ClientRequest, defaultFormat: ErrorFormat): ErrorFormat {
  return formatFor(req, true, { defaultFormat } as ErrorSettings);
}

/** Kong's is_grpc_request needs HTTP/2 too: an HTTP/1.1 "application/grpc" request (told to use HTTP/2) gets a
 *  plain error. grpc-web, gRPC's HTTP/1.1 form, keeps its gRPC-shaped errors. */
function isGrpc(req: ClientRequest): boolean {
  const ct = req.headers['content-type'];
  return typeof ct === 'string' && ct.startsWith('application/grpc') && (isHttp2Request(req) || ct.startsWith('application/grpc-web'));
}

/**
 * A request Kong counts as proxied (its access phase ended with a service): its errors carry the upstream and
 * proxy latencies and Via, not X-Kong-Response-Latency. `sentAt` is when it went (or would have gone) upstream.
 */
export interface ProxiedTiming {
  readonly sentAt: number;
}

/**
 * Writes a proxy-generated error. `extra` holds additional raw header pairs. Safe to call when the client is
 * gone or headers were already sent: then the stream is simply destroyed.
 */
export function sendProxyError(
  req: ClientRequest,
  res: ClientResponse,
  status: number,
  message: string,
  requestId: string,
  startedAt: number,
  settings: ErrorSettings,
  nginxGenerated: boolean,
  extra?: readonly string[],
  proxied?: ProxiedTiming,
): void {
  if (res.headersSent || res.destroyed) {
    if (!res.writableEnded) res.destroy();
    return;
  }
  const headers: Record<string, string> = {};
  let body = '';
  let code = status;
  if (isGrpc(req)) {
    code = 200;
    headers['content-type'] = 'application/grpc';
    headers['grpc-status'] = String(grpcStatusFor(status));
    headers['grpc-message'] = encodeURIComponent(message);
  } else {
    const format = formatFor(req, nginxGenerated, settings);
    body = renderErrorBody(format, message, requestId);
    headers['content-type'] = CONTENT_TYPES[format];
  }
  headers['content-length'] = String(Buffer.byteLength(body));
  const flags = settings.flags;
  if (flags.requestId) headers['x-kong-request-id'] = requestId;
  if (proxied) {
    if (flags.via) headers.via = VIA_1_1;
    if (flags.upstreamLatency) headers['x-kong-upstream-latency'] = String(Math.round(performance.now() - proxied.sentAt));
    if (flags.proxyLatency) headers['x-kong-proxy-latency'] = String(Math.round(proxied.sentAt - startedAt));
  } else if (flags.responseLatency) {
    headers['x-kong-response-latency'] = String(Math.round(performance.now() - startedAt));
  }
  if (flags.server) headers.server = SERVER_TOKEN;
  const h2 = isHttp2Request(req);
  if (extra) {
    for (let i = 0; i < extra.length; i += 2) {
      const name = extra[i].toLowerCase();
      if (h2 && (name === 'connection' || name === 'upgrade')) continue;
      headers[name] = extra[i + 1];
    }
  }
  (res as ServerResponse).writeHead(code, headers);
  res.end(body);
}
