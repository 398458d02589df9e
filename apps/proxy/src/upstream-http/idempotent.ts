// nginx's rule for trying a request again once it went out (proxy_next_upstream without non_idempotent): every method
// but POST, LOCK and PATCH (ngx_http_upstream_next), unknown ones included. The one list for the balancer's retries
// and for a kept-alive connection found closed.
const NON_IDEMPOTENT = new Set(['POST', 'LOCK', 'PATCH']);

export function isIdempotent(method: string): boolean {
  return !NON_IDEMPOTENT.has(method);
}
