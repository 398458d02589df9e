import type { EntitySchema } from '@tollgate/schema';

/** What an Admin API path addresses, derived from its segments and the entity schemas. */
export type PathShape =
  | { kind: 'collection'; entity: EntitySchema; parent?: EntitySchema }
  | { kind: 'item'; entity: EntitySchema; parent?: EntitySchema }
  /** `/routes/{routes}/service`: the entity a foreign key of the child points to. */
  | { kind: 'referenced'; entity: EntitySchema; child: EntitySchema }
  | { kind: 'other'; entity?: EntitySchema };

export function classifyPath(kongPath: string, entities: ReadonlyMap<string, EntitySchema>): PathShape {
  const byAdminPath = new Map<string, EntitySchema>();
  for (const schema of entities.values()) byAdminPath.set(schema.adminPath.replace(/^\//, ''), schema);

  const segments = kongPath.split('/').filter(Boolean);
  let current: EntitySchema | undefined;
  let parent: EntitySchema | undefined;
  let addressed = false; // the last entity segment was followed by a {param}
  for (let i = 0; i < segments.length; i++) {
    const segment = segments[i];
    if (segment.startsWith('{')) {
      if (!current || addressed) return { kind: 'other', entity: current };
      addressed = true;
      continue;
    }
    const next = byAdminPath.get(segment) ?? (current && addressed ? nestedChild(current, segment, entities) : undefined);
    if (next && (!current || addressed)) {
      if (current) parent = current;
      current = next;
      addressed = false;
      continue;
    }
    const reference = current && addressed ? referencedEntity(current, segment, entities) : undefined;
    if (reference && i === segments.length - 1) return { kind: 'referenced', entity: reference, child: current! };
    return { kind: 'other', entity: current };
  }
  if (!current) return { kind: 'other' };
  return addressed ? { kind: 'item', entity: current, parent } : { kind: 'collection', entity: current, parent };
}

function referencedEntity(child: EntitySchema, field: string, entities: ReadonlyMap<string, EntitySchema>): EntitySchema | undefined {
  const def = child.fields.find(([name]) => name === field)?.[1];
  return def?.type === 'foreign' && def.reference ? entities.get(def.reference) : undefined;
}

/** `/consumers/{consumers}/key-auth`: Kong names some nested collections differently from their top-level path. */
function nestedChild(parent: EntitySchema, segment: string, entities: ReadonlyMap<string, EntitySchema>): EntitySchema | undefined {
  for (const child of entities.values()) {
    if (child.nestedName !== segment) continue;
    if (child.fields.some(([, def]) => def.type === 'foreign' && def.reference === parent.name)) return child;
  }
  return undefined;
}
