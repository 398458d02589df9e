// DB-less mode (kong-admin-api.md §3.5): reads of the generic entity endpoints work, every write is 405 code 12
// naming the entity and the verb. Custom endpoints that write no entity (`/schemas/.../validate`, target health,
// `/config`) are not entity routes and pass through.
import { dblessWriteMessage, operationUnsupported, type KongError } from '@tollgate/errors';
import { isUuid, type EntitySchema } from '@tollgate/schema';
import { METHODS_OF, routeSpecs, type RouteSpec } from '../entities/route-specs';
import { storedSchemas, type SchemaSource } from '../persistence/schema-source';

const VERBS: Readonly<Record<string, string>> = { POST: 'create', PUT: 'create or update', PATCH: 'update', DELETE: 'remove' };

interface GuardedRoute {
  readonly spec: RouteSpec;
  readonly matcher: RegExp;
  /** Index of the `:id` capture, or -1. */
  readonly idGroup: number;
}

function compile(spec: RouteSpec): GuardedRoute {
  const names: string[] = [];
  const pattern = spec.path
    .split('/')
    .map((segment) => {
      if (!segment.startsWith(':')) return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
      names.push(segment.slice(1));
      return '([^/]+)';
    })
    .join('/');
  return { spec, matcher: new RegExp(`^${pattern}/?$`), idGroup: names.indexOf('id') };
}

export class DblessWriteGuard {
  private readonly routes: GuardedRoute[];

  constructor(private readonly source: SchemaSource) {
    // longest paths first, so `/services/:parent/routes` is never read as `/services/:id`
    this.routes = routeSpecs(source.entities, storedSchemas(source))
      .map(compile)
      .sort((a, b) => b.spec.path.split('/').length - a.spec.path.split('/').length);
  }

  /** The 405 for a write on an entity endpoint; null when the request is not one. */
  check(method: string, pathname: string): KongError | null {
    const verb = VERBS[method];
    if (!verb) return null;
    for (const route of this.routes) {
      const match = route.matcher.exec(pathname);
      if (!match || !METHODS_OF[route.spec.kind].includes(method)) continue;
      // `/routes/{id}/service` writes the parent service
      const entity = route.spec.kind === 'parent-of-child' ? route.spec.parent!.entity : route.spec.entity;
      const schema = this.source.entities.get(entity)!;
      const addressed = route.idGroup >= 0 && route.spec.kind !== 'parent-of-child' ? safeDecode(match[route.idGroup + 1]) : undefined;
      return operationUnsupported(dblessWriteMessage(verb, entity, byKey(schema, addressed)));
    }
    return null;
  }
}

/** The endpoint key named in the message when the URL addressed the entity by it rather than by id. */
function byKey(schema: EntitySchema, addressed: string | undefined): string | undefined {
  if (addressed === undefined || !schema.endpointKey || isUuid(addressed)) return undefined;
  return schema.endpointKey;
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
