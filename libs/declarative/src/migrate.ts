// _format_version "1.1" and "2.1" predate the `~` prefix for regex paths: Kong migrates them on load.
// A path made only of URL-safe literal characters stays a prefix path; anything else was a regex.
const LITERAL_PATH = /^[A-Za-z0-9._~/%-]*$/;

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;

export function migratePath(path: string): string {
  if (path.startsWith('~') || LITERAL_PATH.test(path)) return path;
  return '~' + path;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function migrateRoute(route: unknown): unknown {
  if (!isObj(route) || !Array.isArray(route.paths)) return route;
  return { ...route, paths: route.paths.map((p) => (typeof p === 'string' ? migratePath(p) : p)) };
}

/** Returns a copy of a pre-3.0 document with regex route paths prefixed (top-level and nested in services). */
export function migrateToV3(doc: Obj): Obj {
  const out: Obj = { ...doc, _format_version: '3.0' };
  if (Array.isArray(doc.routes)) out.routes = doc.routes.map(migrateRoute);
  if (Array.isArray(doc.services)) {
    out.services = doc.services.map((service) =>
      isObj(service) && Array.isArray(service.routes) ? { ...service, routes: service.routes.map(migrateRoute) } : service,
    );
  }
  return out;
}
