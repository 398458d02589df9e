// Walks a declarative document and lists every entity as a flat item: its own fields (nested child arrays
// removed), where it sits in the document (for error trees) and the parent it was nested in.
import { ENTITIES } from '@tollgate/schema';
import type { EntitySchema } from '@tollgate/schema';
import { CHILDREN } from './relations';

export type Obj = Record<string, unknown>;
export type ErrorPath = ReadonlyArray<string | number>;

export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export interface Item {
  readonly entity: string;
  readonly schema: EntitySchema;
  /** The entity's own input fields; nested children removed. Foreign keys are rewritten during resolution. */
  input: Obj;
  readonly path: ErrorPath;
  readonly parent?: { readonly item: Item; readonly field: string };
  /** Ids of entities nested inside this one, per child collection (certificates list their snis). */
  readonly nested: Map<string, Item[]>;
  id: string;
}

export interface StructureError {
  readonly path: ErrorPath;
  readonly message: string;
}

/** Top-level keys that are not collections: Kong's own, and decK's metadata (deck-meta.ts). */
export const META_KEYS = new Set(['_format_version', '_transform', '_comment', '_ignore', '_info', '_workspace', '_konnect']);

/**
 * Kong accepts `_comment` (a string) and `_ignore` (an array of anything) on the file and on every entity, and
 * drops them before validation: they annotate the file, they are not fields.
 */
export function annotationErrors(record: Obj, path: ErrorPath): StructureError[] {
  const errors: StructureError[] = [];
  if (record._comment !== undefined && record._comment !== null && typeof record._comment !== 'string') {
    errors.push({ path: [...path, '_comment'], message: 'expected a string' });
  }
  if (record._ignore !== undefined && record._ignore !== null && !Array.isArray(record._ignore)) {
    errors.push({ path: [...path, '_ignore'], message: 'expected an array' });
  }
  return errors;
}

function collectArray(
  value: unknown, schema: EntitySchema, path: ErrorPath, parent: Item['parent'], items: Item[], errors: StructureError[],
): Item[] {
  if (!Array.isArray(value)) {
    errors.push({ path, message: 'expected an array' });
    return [];
  }
  const out: Item[] = [];
  value.forEach((element, index) => {
    const itemPath = [...path, index];
    if (!isObj(element)) {
      errors.push({ path: itemPath, message: 'expected a record' });
      return;
    }
    const input: Obj = { ...element };
    errors.push(...annotationErrors(input, itemPath));
    delete input._comment;
    delete input._ignore;
    const item: Item = { entity: schema.name, schema, input, path: itemPath, parent, nested: new Map(), id: '' };
    items.push(item); // a parent always precedes its children: ids are computed in this order
    out.push(item);
    for (const relation of CHILDREN.get(schema.name) ?? []) {
      const childName = relation.child.name;
      if (!(childName in input)) continue;
      const childValue = input[childName];
      delete input[childName];
      if (childValue === null || childValue === undefined) continue;
      const children = collectArray(childValue, relation.child, [...itemPath, childName], { item, field: relation.field }, items, errors);
      item.nested.set(childName, children);
    }
  });
  return out;
}

export function collectItems(doc: Obj): { items: Item[]; errors: StructureError[] } {
  const items: Item[] = [];
  const errors: StructureError[] = [];
  for (const key of Object.keys(doc)) {
    if (META_KEYS.has(key)) continue;
    const schema = ENTITIES.get(key);
    if (!schema) {
      errors.push({ path: [key], message: 'unknown field' });
      continue;
    }
    if (doc[key] === null || doc[key] === undefined) continue;
    collectArray(doc[key], schema, [key], undefined, items, errors);
  }
  return { items, errors };
}
