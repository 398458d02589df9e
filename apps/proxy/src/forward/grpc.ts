// gRPC (grpc/grpcs services) over HTTP/2 to the upstream, one multiplexed session per upstream address;
// trailers (grpc-status, grpc-message) are relayed as trailers (kong-data-plane.md §2.6).
import { connect, type ClientHttp2Session, type ClientHttp2Stream, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http2';
import type { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import { PROXY_ERRORS } from '@tollgate/errors';
import type { CompiledService } from '../compile/types';
import type { ProxyContext } from './context';
import { sendProxyError } from './errors';
import { SERVER_TOKEN, VIA_2 } from './identity';

const sessions = new Map<string, ClientHttp2Session>();

function sessionFor(authority: string, tls: boolean, rejectUnauthorized: boolean): ClientHttp2Session {
  const key = `${tls ? 'https' : 'http'}://${authority}`;
  const cached = sessions.get(key);
  if (cached && !cached.closed && !cached.destroyed) return cached;
  const session = connect(key, { rejectUnauthorized });
  session.on('error', () => undefined);
  session.once('close', () => sessions.get(key) === session && sessions.delete(key));
  session.once('goaway', () => sessions.get(key) === session && sessions.delete(key));
  sessions.set(key, session);
  return session;
}

export function closeGrpcSessions(): void {
  for (const s of sessions.values()) s.destroy();
  sessions.clear();
}

const DROP = new Set(['connection', 'keep-alive', 'transfer-encoding', 'upgrade', 'host', 'proxy-connection', 'te']);

export interface GrpcForward {
  readonly ctx: ProxyContext;
  readonly req: Http2ServerRequest;
  readonly res: Http2ServerResponse;
  readonly service: CompiledService;
  readonly requestId: string;
  readonly startedAt: number;
  readonly path: string;
  /** Raw upstream header list from buildUpstreamHeaders (index 1 is Host). */
  readonly headers: string[];
  readonly hostHeader: string;
  readonly host: string;
  readonly port: number;
}

export function proxyGrpc(f: GrpcForward): void {
  const { ctx, req, res, service } = f;
  const out: OutgoingHttpHeaders = { ':method': 'POST', ':path': f.path, ':authority': f.hostHeader, ':scheme': service.tls ? 'https' : 'http', te: 'trailers' };
  for (let i = 2; i < f.headers.length; i += 2) {
    const name = f.headers[i].toLowerCase();
    if (DROP.has(name) || name.charCodeAt(0) === 58) continue;
    out[name] = f.headers[i + 1];
  }
  ctx.inflight++;
  let done = false;
  const finish = () => {
    if (!done) {
      done = true;
      ctx.inflight--;
    }
  };
  const authority = f.host.includes(':') ? `[${f.host}]:${f.port}` : `${f.host}:${f.port}`;
  const sentAt = performance.now();
  let stream: ClientHttp2Stream;
  try {
    stream = sessionFor(authority, service.tls, service.tlsOptions?.rejectUnauthorized ?? false).request(out);
  } catch {
    finish();
    const e = PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
    return sendProxyError(req, res, e.status, e.message, f.requestId, f.startedAt, ctx.errors, true);
  }
  let responded = false;
  stream.setTimeout(service.readTimeout, () => stream.close(0x8 /* CANCEL */));
  stream.on('response', (headers: IncomingHttpHeaders) => {
    responded = true;
    const down: OutgoingHttpHeaders = {};
    for (const name of Object.keys(headers)) if (name.charCodeAt(0) !== 58 && !DROP.has(name)) down[name] = headers[name];
    const flags = ctx.flags;
    if (flags.via) down.via = headers.via ? `${headers.via}, ${VIA_2}` : VIA_2;
    if (flags.server && headers.server === undefined) down.server = SERVER_TOKEN;
    if (flags.upstreamLatency) down['x-kong-upstream-latency'] = String(Math.round(performance.now() - sentAt));
    if (flags.proxyLatency) down['x-kong-proxy-latency'] = String(Math.round(sentAt - f.startedAt));
    if (flags.requestId) down['x-kong-request-id'] = f.requestId;
    res.writeHead(Number(headers[':status'] ?? 200), down as never);
  });
  stream.on('trailers', (trailers: IncomingHttpHeaders) => {
    const copy: Record<string, string> = {};
    for (const name of Object.keys(trailers)) if (name.charCodeAt(0) !== 58) copy[name] = String(trailers[name]);
    res.addTrailers(copy);
  });
  stream.on('end', finish);
  stream.on('close', () => {
    finish();
    if (!responded) {
      const timedOut = stream.rstCode === 0x8;
      const e = timedOut ? PROXY_ERRORS.UPSTREAM_TIMEOUT : PROXY_ERRORS.BAD_UPSTREAM_RESPONSE;
      sendProxyError(req, res, e.status, e.message, f.requestId, f.startedAt, ctx.errors, true);
    } else if (!res.writableEnded) {
      res.end();
    }
  });
  stream.on('error', () => undefined);
  res.once('close', () => {
    if (!stream.closed) stream.close(0x8);
  });
  stream.pipe(res as unknown as NodeJS.WritableStream);
  req.pipe(stream);
}
