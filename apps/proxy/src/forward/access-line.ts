// The access-log line of one HTTP request, written once its response is sent. The line is built by string
// concatenation around pre-serialised constant parts: JSON.stringify of the nested entry measured ~1 µs per request.
import type { Socket } from 'node:net';
import type { ServerResponse } from 'node:http';
import type { AccessLog } from '@tollgate/logging';
import { originalDestinationOf } from './client-info';
import type { ListenerInfo } from './context';
import type { ClientRequest, ClientResponse } from './errors';
import { exchangeOf } from './exchange';

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

// hot path: one small object per request, listener is a shared function (no closure).
export function logWhenFinished(log: AccessLog, req: ClientRequest, res: ClientResponse, listener: ListenerInfo, requestId: string): void {
  const socket = (req.socket ?? null) as LoggedSocket | null;
  const clientIp = socket?.remoteAddress;
  // Only on `transparent` listeners (left out of the line elsewhere): where the client meant to connect.
  const destination = originalDestinationOf(socket);
  const head =
    (clientIp === undefined ? ',"client_ip":null' : `,"client_ip":"${clientIp}"`) +
    (destination === undefined ? '' : `,"destination":{"ip":"${destination.ip}","port":${destination.port}}`) +
    `,"request":{"method":"${req.method}","uri":`;
  const mid = `,"scheme":"${listener.scheme}","http_version":"${req.httpVersion}","size":`;
  (res as LoggedResponse)[kEntry] = new PendingEntry(log, req, socket, Date.now(), head, mid, requestId);
  (res as ServerResponse).on('finish', onResponseFinish);
}

function onResponseFinish(this: LoggedResponse): void {
  const e = this[kEntry];
  if (e === undefined) return;
  this[kEntry] = undefined;
  const req = e.req;
  const ex = exchangeOf(this);
  const now = Date.now();
  e.log.writeLine(
    `{"started_at":${e.startedAt}${e.head}${JSON.stringify(req.url)}${e.mid}${Number(req.headers['content-length'] ?? 0) || 0}` +
      `},"response":{"status":${this.statusCode},"size":${responseSize(this, e.socket, ex?.responseBytes)}},"request_id":"${e.requestId}"` +
      `,"latencies":{"request":${now - e.startedAt},"proxy":${ex?.upstreamLatency ?? -1}}}`,
  );
}

/** Bytes sent for this response, status line and headers included (Kong: bytes_sent). HTTP/1 responses on a
 * connection finish in order, so the socket's count since the previous one is this response's. */
function responseSize(res: ClientResponse, socket: LoggedSocket | null, bodyBytes: number | undefined): number {
  if (socket === null || (res as { stream?: unknown }).stream !== undefined) return bodyBytes ?? 0;
  const total = socket.bytesWritten;
  const before = socket[kLoggedBytes] ?? 0;
  socket[kLoggedBytes] = total;
  return total - before;
}
