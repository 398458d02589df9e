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

export function peerAddressOf(socket: TaggedSocket): string {
  return socket[kProxiedAddress] ?? socket._parent?.[kProxiedAddress] ?? socket.remoteAddress ?? '';
}

export function clientOf(ctx: ProxyContext, req: ClientRequest): ClientInfo {
  const socket = req.socket as TaggedSocket;
  const cached = socket[kClient];
  if (cached !== undefined) return cached;
  const peerIp = peerAddressOf(socket);
  const info: ClientInfo = { peerIp, trusted: ctx.trust.isTrusted(peerIp), clientIp: peerIp };
  if (req.httpVersionMajor !== 2) socket[kClient] = info;
  return info;
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
