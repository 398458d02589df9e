// Which of Kong's optional headers are on (the `headers` / `headers_upstream` settings), decided once.
export interface HeaderFlags {
  readonly server: boolean;
  readonly via: boolean;
  readonly proxyLatency: boolean;
  readonly upstreamLatency: boolean;
  readonly responseLatency: boolean;
  readonly requestId: boolean;
  readonly upstreamStatus: boolean;
  readonly upstreamRequestId: boolean;
  /** allow_debug_header: Kong-Debug requests get Kong-Route-* / Kong-Service-* response headers. */
  readonly debugHeader: boolean;
}

const DEFAULT_HEADERS = ['server_tokens', 'latency_tokens', 'x-kong-request-id'];

export function compileHeaderFlags(headers: readonly string[] | undefined, upstream: readonly string[] | undefined, allowDebugHeader = false): HeaderFlags {
  const on = new Set((headers ?? DEFAULT_HEADERS).map((h) => h.toLowerCase()));
  const off = on.has('off');
  const has = (...names: string[]) => !off && names.some((n) => on.has(n));
  const up = new Set((upstream ?? ['x-kong-request-id']).map((h) => h.toLowerCase()));
  return Object.freeze({
    server: has('server_tokens', 'server'),
    via: has('server_tokens', 'via'),
    proxyLatency: has('latency_tokens', 'x-kong-proxy-latency'),
    upstreamLatency: has('latency_tokens', 'x-kong-upstream-latency'),
    responseLatency: has('latency_tokens', 'x-kong-response-latency'),
    requestId: has('x-kong-request-id'),
    upstreamStatus: has('x-kong-upstream-status'),
    upstreamRequestId: !up.has('off') && up.has('x-kong-request-id'),
    debugHeader: allowDebugHeader,
  });
}
