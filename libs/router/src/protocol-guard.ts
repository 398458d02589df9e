// Kong routes first and checks the scheme afterwards: an https-only route hit over plain HTTP still matches,
// and the proxy answers with `https_redirect_status_code` (426 "Please use HTTPS protocol" by default).
import type { RouteRow } from '@tollgate/declarative/snapshot';

/** True when the route accepts https but not http and the (trusted) scheme is not https. */
export function requiresHttps(route: RouteRow, scheme: string): boolean {
  return scheme !== 'https' && route.protocols.includes('https') && !route.protocols.includes('http');
}
