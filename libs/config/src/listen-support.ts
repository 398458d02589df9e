// What Tollgate's listeners can honour today, per listener kind. The grammar (listen.ts) is Kong's; this table is
// ours. Every flag the grammar accepts must appear here as either honoured (true) or rejected with the reason:
// a flag is never silently accepted. Flip an entry to `true` when the listener that opens it implements it.
import type { ListenEntry, ListenerKind } from './types';
import type { ListenFlag } from './listen';

/** A grammar flag, or a part of one that is supported separately. */
export type ListenCapability = ListenFlag | 'so_keepalive_probes';

/** true = honoured; a string = rejected at load with this message ({key} and {kind} are filled in). */
export type FlagSupport = true | string;

const TRANSPARENT_NOT_PROXIED = "{key}: flag 'transparent' is only supported on proxy_listen and stream_listen ({kind} listeners are not proxied, so TPROXY has nothing to hand them)";
const DEFERRED = "{key}: flag 'deferred' is not supported (TCP_DEFER_ACCEPT cannot be set from Node.js without a native addon)";
const PROBES = '{key}: so_keepalive interval and count are not supported (Node.js can only set the idle time); use so_keepalive=on, off or <idle>::';
const NO_PROXY_PROTOCOL = "{key}: flag 'proxy_protocol' is not supported on {kind} listeners (only proxy_listen and stream_listen accept the PROXY protocol)";
const UDP = "{key}: flag 'udp' is not supported (Tollgate proxies TCP and TLS streams only, not UDP)";

/**
 * - ssl, http2: TLS / ALPN h2 on the listening server.
 * - bind: accepted; Node always binds each address separately, which is what the flag asks nginx for.
 * - reuseport: accepted; Node workers share one listening port through the cluster module (the primary
 *   owns the socket), which is the effect reuseport gives nginx workers.
 * - backlog=N: passed to server.listen({ backlog }).
 * - ipv6only: passed to server.listen({ ipv6Only }).
 * - so_keepalive=on|off|<idle>::: socket.setKeepAlive(enable, idle * 1000) on accepted sockets.
 * - so_keepalive interval/count: rejected, Node has no API for TCP_KEEPINTVL / TCP_KEEPCNT.
 * - deferred: rejected, TCP_DEFER_ACCEPT needs setsockopt on the fd (native addon).
 * - proxy_protocol: proxy and stream only.
 * - udp: rejected, no UDP proxy.
 * - transparent: proxy and stream listeners open an IP_TRANSPARENT socket (native/transparent, needs CAP_NET_ADMIN
 *   on Linux). Kong's grammar already refuses it on admin/status/cluster; the table says why should that change.
 */
const HTTP_COMMON = {
  ssl: true, http2: true, deferred: DEFERRED, bind: true, reuseport: true, backlog: true, ipv6only: true,
  so_keepalive: true, so_keepalive_probes: PROBES,
} as const;

export const SUPPORTED_FLAGS: Readonly<Record<ListenerKind, Readonly<Partial<Record<ListenCapability, FlagSupport>>>>> = {
  proxy: { ...HTTP_COMMON, proxy_protocol: true, transparent: true },
  admin: { ...HTTP_COMMON, proxy_protocol: NO_PROXY_PROTOCOL, transparent: TRANSPARENT_NOT_PROXIED },
  status: { ...HTTP_COMMON, proxy_protocol: NO_PROXY_PROTOCOL, transparent: TRANSPARENT_NOT_PROXIED },
  cluster: { ...HTTP_COMMON, proxy_protocol: NO_PROXY_PROTOCOL, transparent: TRANSPARENT_NOT_PROXIED },
  stream: {
    ssl: true, proxy_protocol: true, bind: true, reuseport: true, backlog: true, ipv6only: true,
    so_keepalive: true, so_keepalive_probes: PROBES, udp: UDP, transparent: true,
  },
};

function capabilitiesUsed(entry: ListenEntry): ListenCapability[] {
  const used: ListenCapability[] = [];
  if (entry.ssl) used.push('ssl');
  if (entry.http2) used.push('http2');
  if (entry.proxyProtocol) used.push('proxy_protocol');
  if (entry.deferred) used.push('deferred');
  if (entry.bind) used.push('bind');
  if (entry.reuseport) used.push('reuseport');
  if (entry.backlog !== undefined) used.push('backlog');
  if (entry.ipv6only !== undefined) used.push('ipv6only');
  if (entry.soKeepalive !== undefined) used.push('so_keepalive');
  if (typeof entry.soKeepalive === 'object' && (entry.soKeepalive.interval !== undefined || entry.soKeepalive.count !== undefined)) {
    used.push('so_keepalive_probes');
  }
  if (entry.transparent) used.push('transparent');
  if (entry.udp) used.push('udp');
  return used;
}

/** Messages for every flag of these entries that Tollgate cannot honour (each distinct message once per key). */
export function checkListenerSupport(key: string, kind: ListenerKind, entries: readonly ListenEntry[]): string[] {
  const messages = new Set<string>();
  for (const entry of entries) {
    for (const capability of capabilitiesUsed(entry)) {
      const support = SUPPORTED_FLAGS[kind][capability];
      if (support === true) continue;
      const template = support ?? `{key}: flag '${capability}' is not supported on {kind} listeners`;
      messages.add(template.replaceAll('{key}', key).replaceAll('{kind}', kind));
    }
  }
  return [...messages];
}
