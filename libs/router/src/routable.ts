// Which routes the HTTP router is built from: the one rule the proxy's compiler and the Admin API's route-match
// explain both apply, so an explanation never lists a route the data plane could not match (or misses one).
import type { RouteRow } from '@tollgate/declarative/snapshot';

/** Kong's HTTP subsystem routes these protocols; the others (tcp, tls, udp, ws...) belong elsewhere. */
const HTTP_FAMILY = new Set(['http', 'https', 'grpc', 'grpcs']);

/**
 * Whether `route` joins the HTTP router: one of its protocols (default http, https) is of the HTTP family, and its
 * service, when it has one, is usable (`serviceUsable(id)` false: disabled, so its routes are not built, as in
 * Kong's 01-sync spec).
 */
export function isHttpRoutable(route: RouteRow, serviceUsable: (id: string) => boolean): boolean {
  const protocols: readonly string[] = route.protocols ?? ['http', 'https'];
  if (!protocols.some((p) => HTTP_FAMILY.has(p))) return false;
  return !route.service || serviceUsable(route.service.id);
}
