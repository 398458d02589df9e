// Kong's debug headers: with `allow_debug_header = on`, a request carrying a Kong-Debug header (any value, as
// Kong tests only that the header is there) gets the matched route and service named in its response.
import type { CompiledRoute } from '../compile/types';

export const DEBUG_REQUEST_HEADER = 'kong-debug';

/** Appends Kong-Route-Id/-Name and Kong-Service-Id/-Name (those that are set) to a raw header list. */
export function pushDebugHeaders(out: string[], route: CompiledRoute): void {
  out.push('Kong-Route-Id', route.id);
  if (route.row.name) out.push('Kong-Route-Name', route.row.name);
  const service = route.service?.row;
  if (service?.id) out.push('Kong-Service-Id', service.id);
  if (typeof service?.name === 'string' && service.name) out.push('Kong-Service-Name', service.name);
}
