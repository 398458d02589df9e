// Request headers sent upstream, exactly as kong-data-plane.md §2.1. The result is a raw [name, value, ...]
// array whose first pair is Host, so a retry only rewrites index 1.
import type { IncomingMessage } from 'node:http';
import type { Http2ServerRequest } from 'node:http2';
import { originalDestinationOf } from './client-info';

export interface ForwardedFacts {
  readonly scheme: string;
  readonly listenPort: string;
  readonly peerIp: string;
  readonly clientIp: string;
  readonly trusted: boolean;
  /** X-Forwarded-Prefix candidate (strip_path applied and the match is not `/`), else null. */
  readonly prefix: string | null;
  readonly rawPath: string;
  readonly via: string;
  readonly requestId: string | null;
  /** The host of an absolute-form request target (`GET http://h/p`): nginx's $host, which wins over Host. */
  readonly targetHost?: string;
}

export interface UpstreamHeaders {
  readonly list: string[];
  /** The client's Host header (for preserve_host). */
  readonly clientHost: string | undefined;
  readonly chunked: boolean;
  readonly wantsTrailers: boolean;
  readonly websocket: boolean;
}

function hostWithoutPort(host: string): string {
  if (host.charCodeAt(0) === 91 /* [ */) {
    const end = host.indexOf(']');
    return end === -1 ? host : host.slice(0, end + 1);
  }
  const colon = host.indexOf(':');
  return (colon === -1 ? host : host.slice(0, colon)).toLowerCase();
}

/** The lengths of the names the switch in buildUpstreamHeaders looks at. */
const SPECIAL_LENGTH = new Uint8Array(32);
for (const name of [
  'host', ':authority', 'connection', 'keep-alive', 'proxy', 'proxy-connection', 'trailer', 'te', 'transfer-encoding', 'upgrade',
  'x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'x-forwarded-port', 'x-forwarded-path', 'x-forwarded-prefix',
  'x-real-ip', 'expect', 'via', 'x-kong-request-id',
]) {
  SPECIAL_LENGTH[name.length] = 1;
}

// hot path: one pass over rawHeaders, one output array, no per-header objects.
export function buildUpstreamHeaders(req: IncomingMessage | Http2ServerRequest, f: ForwardedFacts): UpstreamHeaders {
  const raw = req.rawHeaders;
  const list: string[] = ['Host', ''];
  let clientHost: string | undefined;
  let xff: string | undefined;
  let xfProto: string | undefined;
  let xfHost: string | undefined;
  let xfPort: string | undefined;
  let xfPath: string | undefined;
  let xfPrefix: string | undefined;
  let via: string | undefined;
  let connection: string | undefined;
  let upgrade: string | undefined;
  let chunked = false;
  let wantsTrailers = false;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    const value = raw[i + 1];
    // hot path: only names as long as one of the cases below are lower-cased (Accept, User-Agent... mostly not)
    const lower = SPECIAL_LENGTH[name.length] === 1 ? name.toLowerCase() : '';
    switch (lower) {
      case 'host':
      case ':authority':
        if (clientHost === undefined) clientHost = value;
        continue;
      case 'connection':
        connection = connection === undefined ? value : `${connection}, ${value}`;
        continue;
      case 'keep-alive':
      case 'proxy':
      case 'proxy-connection':
      case 'trailer':
        continue;
      case 'te':
        if (/\btrailers\b/i.test(value)) wantsTrailers = true;
        continue;
      case 'transfer-encoding':
        chunked = true;
        continue;
      case 'upgrade':
        upgrade = value;
        continue;
      case 'x-forwarded-for':
        xff = xff === undefined ? value : `${xff}, ${value}`;
        continue;
      case 'x-forwarded-proto':
        xfProto ??= value;
        continue;
      case 'x-forwarded-host':
        xfHost ??= value;
        continue;
      case 'x-forwarded-port':
        xfPort ??= value;
        continue;
      case 'x-forwarded-path':
        xfPath ??= value;
        continue;
      case 'x-forwarded-prefix':
        xfPrefix ??= value;
        continue;
      case 'x-real-ip':
      // Node already answered `100 Continue` to the client; the upstream gets the body directly.
      case 'expect':
        continue;
      case 'via':
        via = via === undefined ? value : `${via}, ${value}`;
        continue;
      case 'x-kong-request-id':
        if (f.requestId !== null) continue;
        break;
      default:
        // HTTP/2 pseudo-headers never go upstream as headers.
        if (name.charCodeAt(0) === 58 /* : */) continue;
    }
    list.push(name, value);
  }
  if (connection !== undefined) dropConnectionTokens(list, connection);
  if (f.targetHost !== undefined) clientHost = f.targetHost;
  const websocket = upgrade !== undefined && upgrade.toLowerCase() === 'websocket';

  list.push('X-Forwarded-For', xff === undefined ? f.clientIp : `${xff}, ${f.peerIp}`);
  const t = f.trusted;
  list.push('X-Forwarded-Proto', t && xfProto !== undefined ? xfProto : f.scheme);
  list.push('X-Forwarded-Host', t && xfHost !== undefined ? xfHost : clientHost ? hostWithoutPort(clientHost) : '');
  list.push('X-Forwarded-Port', t && xfPort !== undefined ? xfPort : forwardedPort(req, f.listenPort));
  list.push('X-Forwarded-Path', t && xfPath !== undefined ? xfPath : f.rawPath);
  const prefix = t && xfPrefix !== undefined ? xfPrefix : f.prefix;
  if (prefix) list.push('X-Forwarded-Prefix', prefix);
  list.push('X-Real-IP', f.clientIp);
  list.push('Via', via === undefined ? f.via : `${via}, ${f.via}`);
  if (f.requestId !== null) list.push('X-Kong-Request-Id', f.requestId);
  if (wantsTrailers) list.push('TE', 'trailers');
  return { list, clientHost, chunked, wantsTrailers, websocket };
}

/** The port the client connected to: the listener's, or the original destination's on a `transparent` listener
 * (like Kong 1.x's $server_port under TPROXY). */
function forwardedPort(req: IncomingMessage | Http2ServerRequest, listenPort: string): string {
  const destination = originalDestinationOf(req.socket);
  return destination === undefined ? listenPort : String(destination.port);
}

const CONNECTION_KEEP = new Set(['keep-alive', 'close', 'upgrade']);

/** Removes every header the client named in Connection (rare: only then do we pay for the extra pass). */
function dropConnectionTokens(list: string[], connection: string): void {
  if (connection.length <= 10 && /^(keep-alive|close)$/i.test(connection)) return;
  const tokens = new Set<string>();
  for (const token of connection.split(',')) {
    const t = token.trim().toLowerCase();
    if (t && !CONNECTION_KEEP.has(t)) tokens.add(t);
  }
  if (tokens.size === 0) return;
  let w = 2;
  for (let r = 2; r < list.length; r += 2) {
    if (tokens.has(list[r].toLowerCase())) continue;
    list[w] = list[r];
    list[w + 1] = list[r + 1];
    w += 2;
  }
  list.length = w;
}
