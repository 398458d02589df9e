// The generic endpoint catalogue (kong-admin-api.md §3.2), derived from the schemas: collection and item per
// entity, and for each foreign field the parent-of-child, nested collection and nested item forms.
import type { EntitySchema } from '@tollgate/schema';

export type RouteKind = 'collection' | 'item' | 'nested-collection' | 'nested-item' | 'parent-of-child';

export interface RouteSpec {
  readonly kind: RouteKind;
  readonly entity: string;
  /** Express path with `:id` (the addressed entity) and `:parent`. */
  readonly path: string;
  /** Nested forms: the parent entity and the child's foreign field pointing to it. */
  readonly parent?: { readonly entity: string; readonly field: string; readonly adminPath: string; readonly segment: string };
}

/** Kong disables these generic endpoints (always 404). */
const NO_TOP_LEVEL = new Set(['targets']);
const topLevelDisabled = (schema: EntitySchema) => schema.adminDisabled === true || NO_TOP_LEVEL.has(schema.name);
const NO_PARENT_OF_CHILD = new Set(['targets.upstream', 'snis.certificate']);

/** The nested segment: plugin-owned credentials have their own (`/consumers/{c}/key-auth`). */
export function nestedSegment(schema: EntitySchema): string {
  return schema.nestedName ?? schema.adminPath.replace(/^\//, '');
}

export const METHODS_OF: Record<RouteKind, readonly string[]> = {
  collection: ['GET', 'POST'],
  'nested-collection': ['GET', 'POST'],
  item: ['GET', 'PUT', 'PATCH', 'DELETE'],
  'nested-item': ['GET', 'PUT', 'PATCH', 'DELETE'],
  'parent-of-child': ['GET', 'PUT', 'PATCH', 'DELETE'],
};

export function routeSpecs(entities: ReadonlyMap<string, EntitySchema>, stored: readonly EntitySchema[]): RouteSpec[] {
  const specs: RouteSpec[] = [];
  for (const schema of stored) {
    if (schema.noAdminApi) continue;
    if (!topLevelDisabled(schema)) {
      specs.push({ kind: 'collection', entity: schema.name, path: schema.adminPath });
      specs.push({ kind: 'item', entity: schema.name, path: `${schema.adminPath}/:id` });
    }
    for (const [field, def] of schema.fields) {
      const parent = def.type === 'foreign' && def.reference ? entities.get(def.reference) : undefined;
      if (!parent || parent.noAdminApi) continue;
      const link = { entity: parent.name, field, adminPath: parent.adminPath, segment: nestedSegment(schema) };
      if (!NO_PARENT_OF_CHILD.has(`${schema.name}.${field}`) && !topLevelDisabled(schema)) {
        specs.push({ kind: 'parent-of-child', entity: schema.name, path: `${schema.adminPath}/:id/${field}`, parent: link });
      }
      const base = `${parent.adminPath}/:parent/${link.segment}`;
      specs.push({ kind: 'nested-collection', entity: schema.name, path: base, parent: link });
      specs.push({ kind: 'nested-item', entity: schema.name, path: `${base}/:id`, parent: link });
    }
  }
  return specs;
}
