// The access-log line of one HTTP request, written once its response is sent (a WebSocket upgrade's once its
// connection closes): Kong's nginx format by default (proxy_access_log_format = kong), or JSON. The JSON line is built by string concatenation around pre-serialised
// constant parts: JSON.stringify of the nested entry measured ~1 µs per request.
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import { kongLine, type AccessLog } from '@tollgate/logging';
import { originalDestinationOf } from './client-info';
import type { ListenerInfo } from './context';
import type { ClientRequest, ClientResponse } from './errors';
import { exchangeOf } from './exchange';
import { UpgradeResponse } from './websocket';

const kEntry = Symbol('tollgate.accessEntry');
const kLoggedBytes = Symbol('tollgate.loggedBytes');

type LoggedSocket = Socket & { [kLoggedBytes]?: number };

/** What must be read when the request starts: by 'finish' the socket may already be detached from the request. */
class PendingEntry {
  constructor(
    readonly log: AccessLog,
    readonly req: ClientRequest,
    readonly socket: LoggedSocket | null,
    readonly startedAt: number,
    /** `,"client_ip":...,"destination":...,"request":{"method":...` up to the uri, built once. */
    readonly head: string,
    /** `,"scheme":...,"http_version":...,"size":` */
    readonly mid: string,
    readonly requestId: string,
  ) {}
}

type LoggedResponse = ClientResponse & { [kEntry]?: PendingEntry };

export type AccessLogFormat = 'kong' | 'json';

// hot path: one small object per request, listener is a shared function (no closure).
/** `clientIp` is nginx's $remote_addr: the client address after the realip rewrite, read when the request starts. */
export function logWhenFinished(
  log: AccessLog, req: ClientRequest, res: ClientResponse, listener: ListenerInfo, requestId: string, format: AccessLogFormat, clientIp: string | undefined,
): void {
  if (format === 'kong') {
    (res as KongLoggedResponse)[kKong] = new PendingKongEntry(log, req, (req.socket ?? null) as LoggedSocket | null, clientIp, requestId);
    // 'close' fires however the response ends (finished, aborted, timed out): exactly one line per request
    (res as ServerResponse).on('close', onKongResponseClose);
    return;
  }
  const socket = (req.socket ?? null) as LoggedSocket | null;
  // Only on `transparent` listeners (left out of the line elsewhere): where the client meant to connect.
  const destination = originalDestinationOf(socket);
  const head =
    (clientIp === undefined ? ',"client_ip":null' : `,"client_ip":"${clientIp}"`) +
    (destination === undefined ? '' : `,"destination":{"ip":"${destination.ip}","port":${destination.port}}`) +
    `,"request":{"method":"${req.method}","uri":`;
  const mid = `,"scheme":"${listener.scheme}","http_version":"${req.httpVersion}","size":`;
  (res as LoggedResponse)[kEntry] = new PendingEntry(log, req, socket, Date.now(), head, mid, requestId);
  // 'close', not 'finish': a response that never completes (client gone, upstream reset, timeout) is logged too
  (res as ServerResponse).on('close', onResponseClose);
}

/**
 * nginx's status for a response that did not complete: what was sent, else what the gateway decided (408 for a
 * stalled body), else 499 (the client closed the connection first).
 */
function loggedStatus(res: ClientResponse): number {
  if (res.headersSent || res.writableFinished || relayedHeadBytes(res) > 0) return res.statusCode;
  return res.statusCode === 200 ? 499 : res.statusCode;
}

function onResponseClose(this: LoggedResponse): void {
  const e = this[kEntry];
  if (e === undefined) return;
  this[kEntry] = undefined;
  const req = e.req;
  const ex = exchangeOf(this);
  const now = Date.now();
  e.log.writeLine(
    `{"started_at":${e.startedAt}${e.head}${JSON.stringify(req.url)}${e.mid}${Number(req.headers['content-length'] ?? 0) || 0}` +
      `},"response":{"status":${loggedStatus(this)},"size":${responseSize(this, req, e.socket, ex?.responseBytes)}},"request_id":"${e.requestId}"` +
      `,"latencies":{"request":${now - e.startedAt},"proxy":${ex?.upstreamLatency ?? upstreamLatencyOf(this)}}}`,
  );
}

/** Bytes sent for this response, status line and headers included (Kong: bytes_sent). HTTP/1 responses on a
 * connection finish in order, so the socket's count since the previous one is this response's. */
function responseSize(res: ClientResponse, req: ClientRequest, socket: LoggedSocket | null, bodyBytes: number | undefined): number {
  // an HTTP/2 stream keeps no byte count (its headers are HPACK-compressed): its body is what it sent
  if ((res as { stream?: unknown }).stream !== undefined) return bodyBytes ?? generatedBodyBytes(res, req, 0);
  if (socket === null) return bodyBytes ?? 0;
  const total = socket.bytesWritten;
  const before = socket[kLoggedBytes] ?? 0;
  socket[kLoggedBytes] = total;
  return total - before;
}

const kKong = Symbol('tollgate.kongAccessEntry');

class PendingKongEntry {
  constructor(
    readonly log: AccessLog,
    readonly req: ClientRequest,
    readonly socket: LoggedSocket | null,
    readonly remoteAddr: string | undefined,
    readonly requestId: string,
  ) {}
}

type KongLoggedResponse = ClientResponse & { [kKong]?: PendingKongEntry };

/** Kong's kong_log_format: `$remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent
 *  "$http_referer" "$http_user_agent" kong_request_id: "$kong_request_id"`. */
function onKongResponseClose(this: KongLoggedResponse): void {
  const e = this[kKong];
  if (e === undefined) return;
  this[kKong] = undefined;
  const req = e.req;
  const headers = req.headers;
  const ex = exchangeOf(this);
  // the socket count is taken for every response, so the next one on this connection starts from here
  const sent = responseSize(this, req, e.socket, ex?.responseBytes);
  e.log.writeLine(kongLine({
    remoteAddr: e.remoteAddr,
    request: `${req.method} ${req.url} HTTP/${req.httpVersion}`,
    status: loggedStatus(this),
    bodyBytesSent: ex ? ex.responseBytes : generatedBodyBytes(this, req, sent),
    referer: headers.referer as string | undefined,
    userAgent: headers['user-agent'] as string | undefined,
    requestId: e.requestId,
  }));
}

/** A response without an exchange counting body bytes (the gateway's own answers: no route, plugin exits, errors;
 *  a WebSocket upgrade's relayed answer and tunnel): its body is what was sent after the header block (`_header`,
 *  the block Node wrote, or the one relayed straight to an upgrade's socket). HTTP/2 streams keep no byte count:
 *  the gateway's own answers there are whole bodies with a Content-Length, sent once the response finished. */
function generatedBodyBytes(res: ClientResponse, req: ClientRequest, sent: number): number {
  const relayed = relayedHeadBytes(res);
  if (relayed > 0) return Math.max(0, sent - relayed);
  if ((res as { stream?: unknown }).stream !== undefined) {
    if (!res.writableFinished || req.method === 'HEAD') return 0;
    return Number((res as ServerResponse).getHeader('content-length')) || 0;
  }
  const header = (res as { _header?: unknown })._header;
  return typeof header === 'string' ? Math.max(0, sent - Buffer.byteLength(header, 'latin1')) : 0;
}

function relayedHeadBytes(res: ClientResponse): number {
  return res instanceof UpgradeResponse ? res.relayedHeadBytes : 0;
}

function upstreamLatencyOf(res: ClientResponse): number {
  return res instanceof UpgradeResponse ? res.upstreamLatency : -1;
}
