// Who is on the other end of a request: the TCP peer (or the PROXY protocol source), whether it is trusted,
// and the client address after the realip rewrite. Cached per connection: keep-alive requests reuse it.
import type { Socket } from 'node:net';
import type { ClientRequest } from './errors';
import type { ProxyContext } from './context';

export const kProxiedAddress = Symbol('tollgate.proxyProtocolAddress');
const kClient = Symbol('tollgate.client');
const kOriginalDestination = Symbol('tollgate.originalDestination');

/** Where the client meant to connect before a TPROXY rule diverted it to a `transparent` listener. */
export interface OriginalDestination {
  readonly ip: string;
  readonly port: number;
}

export interface ClientInfo {
  readonly peerIp: string;
  readonly trusted: boolean;
  /** Peer address unless the realip header says otherwise (computed per request when trusted). */
  readonly clientIp: string;
}

type TaggedSocket = Socket & {
  [kClient]?: ClientInfo;
  [kProxiedAddress]?: string;
  [kOriginalDestination]?: OriginalDestination;
  _parent?: TaggedSocket;
};

/** The PROXY protocol source carried on this connection, if any (TLS sockets: on the TCP socket they wrap). */
function proxiedAddressOf(socket: TaggedSocket): string | undefined {
  return socket[kProxiedAddress] ?? socket._parent?.[kProxiedAddress];
}

export function clientOf(ctx: ProxyContext, req: ClientRequest): ClientInfo {
  const socket = req.socket as TaggedSocket;
  const cached = socket[kClient];
  if (cached !== undefined) return cached;
  const tcpPeer = socket.remoteAddress ?? socket._parent?.remoteAddress ?? '';
  const trusted = ctx.trust.isTrusted(tcpPeer);
  // As nginx's realip with set_real_ip_from = trusted_ips: a PROXY header from any other peer is ignored.
  const proxied = trusted ? proxiedAddressOf(socket) : undefined;
  const peerIp = proxied ?? tcpPeer;
  const info: ClientInfo = { peerIp, trusted, clientIp: peerIp };
  if (req.httpVersionMajor !== 2) socket[kClient] = info;
  return info;
}

/** nginx's $remote_addr after the realip module (set_real_ip_from = trusted_ips, real_ip_header): the client
 *  address the upstream headers, the plugins and the access log report. */
export function realClientIp(ctx: ProxyContext, req: ClientRequest, client: ClientInfo = clientOf(ctx, req)): string {
  return client.trusted && ctx.trust.headerName !== null ? ctx.trust.realIp(client.peerIp, true, req.headers[ctx.trust.headerName]) : client.clientIp;
}

/**
 * Called for each connection a `transparent` listener accepts: IP_TRANSPARENT makes the accepted socket's local
 * address the original destination, read once here (one object per connection, shared by its requests).
 */
export function recordOriginalDestination(socket: Socket): void {
  (socket as TaggedSocket)[kOriginalDestination] = { ip: socket.localAddress ?? '', port: socket.localPort ?? 0 };
}

/** The original destination when the request came through a `transparent` listener, else undefined. TLS sockets
 * carry it on the TCP socket they wrap (`_parent`). */
export function originalDestinationOf(socket: Socket | null | undefined): OriginalDestination | undefined {
  if (socket == null) return undefined;
  const tagged = socket as TaggedSocket;
  return tagged[kOriginalDestination] ?? tagged._parent?.[kOriginalDestination];
}
