// Every route the Admin API serves, read from the express router once the Nest app is initialised.
// It answers OPTIONS (Allow lists), `/endpoints` and the OpenAPI paths, so these can never drift from the code.
import { ENTITIES } from '@tollgate/schema';

export interface CatalogRoute {
  /** Express form, e.g. `/services/:services/routes`. */
  readonly path: string;
  /** Kong form, e.g. `/services/{services}/routes`. */
  readonly kongPath: string;
  readonly methods: ReadonlySet<string>;
  readonly matcher: RegExp;
}

/** Paths of the documentation UI: served, but not part of Kong's Admin API surface. */
export const DOCS_PATH_PREFIX = '/docs';

interface ExpressLayer {
  route?: { path: string | string[]; methods: Record<string, boolean> };
}

export class RouteCatalog {
  private byPath = new Map<string, CatalogRoute>();
  private loaded = false;

  /** Reads the router stack; call after `app.init()`. */
  load(expressApp: { router?: { stack: ExpressLayer[] }; _router?: { stack: ExpressLayer[] } }): void {
    const stack = (expressApp.router ?? expressApp._router)?.stack ?? [];
    const merged = new Map<string, Set<string>>();
    for (const layer of stack) {
      if (!layer.route) continue;
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      for (const path of paths) {
        if (typeof path !== 'string') continue;
        const methods = merged.get(path) ?? new Set<string>();
        for (const [method, on] of Object.entries(layer.route.methods)) {
          if (on && method !== '_all') methods.add(method.toUpperCase());
        }
        merged.set(path, methods);
      }
    }
    this.byPath = new Map();
    for (const [path, methods] of merged) {
      if (methods.has('GET')) methods.add('HEAD');
      methods.add('OPTIONS');
      this.byPath.set(path, { path, kongPath: toKongPath(path), methods, matcher: compileMatcher(path) });
    }
    this.loaded = true;
  }

  get isLoaded(): boolean {
    return this.loaded;
  }

  routes(): CatalogRoute[] {
    return [...this.byPath.values()];
  }

  /**
   * Sorted methods allowed on a concrete request path, or null when no route matches it. Only the most
   * specific matching routes count (fewest placeholders), as Kong's router prefers `/plugins/enabled`
   * over `/plugins/{plugins}`.
   */
  allowedMethods(requestPath: string): string[] | null {
    const path = requestPath.length > 1 && requestPath.endsWith('/') ? requestPath.slice(0, -1) : requestPath;
    let found: Set<string> | null = null;
    let fewestParams = Infinity;
    for (const route of this.byPath.values()) {
      if (!route.matcher.test(path)) continue;
      const params = route.kongPath.split('{').length - 1;
      if (params > fewestParams) continue;
      if (params < fewestParams) {
        fewestParams = params;
        found = new Set();
      }
      for (const method of route.methods) found!.add(method);
    }
    return found ? [...found].sort() : null;
  }

  /** Kong's `/endpoints` list: `{param}` placeholders, sorted segment-wise (`/` before any other char). */
  kongEndpoints(): string[] {
    const paths = new Set<string>();
    for (const route of this.byPath.values()) {
      if (isDocsPath(route.path) || route.path.includes('*')) continue;
      paths.add(route.kongPath);
    }
    return [...paths].sort(compareSegmentWise);
  }
}

export function isDocsPath(path: string): boolean {
  return path === DOCS_PATH_PREFIX || path.startsWith(`${DOCS_PATH_PREFIX}/`) || path.startsWith(`${DOCS_PATH_PREFIX}-`);
}

/**
 * Kong names each placeholder after the entity it addresses (`/services/{services}/routes/{routes}`); our
 * generic controllers use `:id`/`:parent`, so those are renamed from the preceding segment. Other names stay.
 */
export function toKongPath(expressPath: string): string {
  const segments = expressPath.split('/');
  return segments
    .map((segment, i) => {
      if (!segment.startsWith(':')) return segment;
      const original = segment.slice(1);
      const entity = GENERIC_PARAMS.has(original) ? ENTITY_BY_SEGMENT.get(segments[i - 1] ?? '') : undefined;
      return `{${entity ?? original}}`;
    })
    .join('/');
}

const GENERIC_PARAMS = new Set(['id', 'parent']);
const ENTITY_BY_SEGMENT: ReadonlyMap<string, string> = new Map(
  [...ENTITIES.values()].flatMap((schema) => {
    const pairs: Array<[string, string]> = [[schema.adminPath.slice(1), schema.name]];
    if (schema.nestedName) pairs.push([schema.nestedName, schema.name]);
    return pairs;
  }),
);

export function compareSegmentWise(a: string, b: string): number {
  const ka = a.replaceAll('/', '\u0000');
  const kb = b.replaceAll('/', '\u0000');
  return ka < kb ? -1 : ka > kb ? 1 : 0;
}

function compileMatcher(expressPath: string): RegExp {
  const source = expressPath
    .split('/')
    .map((segment) => {
      if (segment.startsWith(':')) return '[^/]+';
      if (segment.startsWith('*') || segment.startsWith('{')) return '.*';
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return new RegExp(`^${source}/?$`);
}
