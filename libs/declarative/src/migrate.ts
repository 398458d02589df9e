// _format_version "1.1" and "2.1" predate the `~` prefix for regex paths: Kong migrates them on load with the rule
// of its 2.8 -> 3.0 database migration. A path made only of URL-safe literal characters is a prefix path and is
// normalised; anything else was a regex: it gets the `~`, and percent-escapes of characters that are not reserved
// are decoded one last time (3.0 stopped decoding route paths), regex metacharacters escaped so they stay literal.
import { normalizeRouterPath } from '@tollgate/schema';

const LITERAL_PATH = /^[A-Za-z0-9._~/%-]*$/;

export const FORMAT_VERSIONS = ['1.1', '2.1', '3.0'] as const;

/** RFC 3986 reserved characters (and `%`): their escapes stay escaped, upper-cased. */
const RESERVED = new Set([...'!#$%&\'()*+,/:;=?@[]'].map((c) => c.charCodeAt(0)));
/** Decoded characters that mean something in a regex: written escaped so the path still matches them literally. */
const REGEX_META: Readonly<Record<string, string>> = { '.': '\\.', '^': '\\^', '-': '\\-', '{': '\\{', '}': '\\}', '\\': '\\\\', '|': '\\|' };

function normalizeRegex(regex: string): string {
  if (!regex.includes('%')) return regex;
  return regex.replace(/%([0-9A-Fa-f]{2})/g, (whole, hex: string) => {
    const code = parseInt(hex, 16);
    if (RESERVED.has(code)) return whole.toUpperCase();
    const char = String.fromCharCode(code);
    return REGEX_META[char] ?? char;
  });
}

export function migratePath(path: string): string {
  if (path.startsWith('~')) return path;
  if (LITERAL_PATH.test(path)) return normalizeRouterPath(path);
  return '~' + normalizeRegex(path);
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

function migrateRoute(route: unknown, where: string, warnings: string[]): unknown {
  if (!isObj(route) || !Array.isArray(route.paths)) return route;
  const paths = route.paths.map((p) => {
    if (typeof p !== 'string') return p;
    const migrated = migratePath(p);
    if (migrated !== p) warnings.push(`${where}: path '${p}' read as '${migrated}'`);
    return migrated;
  });
  return { ...route, paths };
}

const routeLabel = (route: unknown, at: string) => (isObj(route) && typeof route.name === 'string' ? `route '${route.name}'` : at);

/**
 * Returns a copy of a pre-3.0 document with its route paths migrated (top-level routes and routes nested in
 * services, as Kong); every changed path is reported in `warnings`.
 */
export function migrateToV3(doc: Obj, warnings: string[] = []): Obj {
  const version = String(doc._format_version);
  const found: string[] = [];
  const out: Obj = { ...doc, _format_version: '3.0' };
  if (Array.isArray(doc.routes)) out.routes = doc.routes.map((r, i) => migrateRoute(r, routeLabel(r, `routes[${i + 1}]`), found));
  if (Array.isArray(doc.services)) {
    out.services = doc.services.map((service, s) =>
      isObj(service) && Array.isArray(service.routes)
        ? { ...service, routes: service.routes.map((r, i) => migrateRoute(r, routeLabel(r, `services[${s + 1}].routes[${i + 1}]`), found)) }
        : service,
    );
  }
  for (const line of found) warnings.push(`_format_version ${version}: ${line} (regex paths start with '~' since 3.0)`);
  return out;
}
