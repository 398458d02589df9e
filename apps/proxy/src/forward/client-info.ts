// Who is on the other end of a request: the TCP peer (or the PROXY protocol source), whether it is trusted,
// and the client address after the realip rewrite. Cached per connection: keep-alive requests reuse it.
import type { Socket } from 'node:net';
import type { ClientRequest } from './errors';
import type { ProxyContext } from './context';

export const kProxiedAddress = Symbol('tollgate.proxyProtocolAddress');
const kClient = Symbol('tollgate.client');

export interface ClientInfo {
  readonly peerIp: string;
  readonly trusted: boolean;
  /** Peer address unless the realip header says otherwise (computed per request when trusted). */
  readonly clientIp: string;
}

type TaggedSocket = Socket & { [kClient]?: ClientInfo; [kProxiedAddress]?: string; _parent?: TaggedSocket };

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
