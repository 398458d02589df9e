// Which collections nest inside which, derived from the schemas' foreign keys (no hand-written table):
// a child entity with a foreign field referencing P may be written as an array named after the child inside P,
// unless P already has a real (non-transient) field of that name.
import { ENTITIES } from '@tollgate/schema';
import type { EntitySchema, FieldDef } from '@tollgate/schema';

export interface ChildRelation {
  readonly child: EntitySchema;
  /** The child's foreign field that the nesting fills with the parent's {id}. */
  readonly field: string;
}

export function foreignFields(schema: EntitySchema): ReadonlyArray<readonly [string, FieldDef]> {
  return schema.fields.filter(([, def]) => def.type === 'foreign' && !!def.reference);
}

function deriveChildren(): ReadonlyMap<string, readonly ChildRelation[]> {
  const out = new Map<string, ChildRelation[]>();
  for (const child of ENTITIES.values()) {
    for (const [field, def] of foreignFields(child)) {
      const parent = ENTITIES.get(def.reference!);
      if (!parent) continue;
      const clash = parent.fields.find(([name]) => name === child.name);
      if (clash && !clash[1].transient) continue;
      const list = out.get(parent.name) ?? [];
      list.push({ child, field });
      out.set(parent.name, list);
    }
  }
  return out;
}

export const CHILDREN: ReadonlyMap<string, readonly ChildRelation[]> = deriveChildren();

/** Export nests a row only under the parent its foreign field is named for (service -> services); a field like
 *  `client_certificate` is a reference, not containment. */
export function isContainment(field: string, def: FieldDef): boolean {
  return def.reference === field + 's';
}

/** Kong's flattened errors name the entity type in the singular. */
export function singular(entityName: string): string {
  return entityName.endsWith('s') ? entityName.slice(0, -1) : entityName;
}
