// Admin-API shape <-> database row. Every schema field appears on the way out (unset ones null), foreign keys
// come back as {id}, containers are JSON text in the database.
import { compositeKeyOf, type EntitySchema } from '@tollgate/schema';
import { columnsOf, compositeKeyFields, type ColumnSpec } from './columns';

export type Entity = Record<string, unknown>;
export type DbRow = Record<string, unknown>;

const specCache = new WeakMap<EntitySchema, ColumnSpec[]>();
const readableCache = new WeakMap<EntitySchema, ColumnSpec[]>();

export function specsOf(schema: EntitySchema): ColumnSpec[] {
  let specs = specCache.get(schema);
  if (!specs) specCache.set(schema, (specs = columnsOf(schema)));
  return specs;
}

function foreignId(value: unknown): string | null {
  if (value && typeof value === 'object' && typeof (value as Entity).id === 'string') return (value as Entity).id as string;
  return null;
}

/** The composite key string: NULLs compare equal here, unlike in a SQL UNIQUE index. */
export function cacheKeyOf(schema: EntitySchema, entity: Entity): string | null {
  return compositeKeyOf(schema, entity);
}

export function toDbRow(schema: EntitySchema, entity: Entity): DbRow {
  const row: DbRow = {};
  for (const spec of specsOf(schema)) {
    if (!spec.field) continue;
    const value = entity[spec.field];
    if (spec.reference || spec.column !== spec.field) row[spec.column] = foreignId(value);
    else if (spec.kind === 'json') row[spec.column] = value === null || value === undefined ? null : JSON.stringify(value);
    else if (spec.kind === 'uuid' && typeof value === 'string') row[spec.column] = value.toLowerCase();
    else row[spec.column] = value ?? null;
  }
  if (compositeKeyFields(schema)) row.cache_key = cacheKeyOf(schema, entity);
  return row;
}

function decode(spec: ColumnSpec, raw: unknown): unknown {
  if (raw === null || raw === undefined) return null;
  switch (spec.kind) {
    case 'json':
      return JSON.parse(String(raw));
    case 'boolean':
      return raw === true || raw === 1 || raw === '1' || raw === 't';
    case 'integer':
    case 'float':
      return Number(raw);
    default:
      return raw;
  }
}

/** The columns the Admin API returns (write-only fields never leave the database). */
function readableSpecs(schema: EntitySchema): ColumnSpec[] {
  let specs = readableCache.get(schema);
  if (!specs) {
    const writeOnly = new Set(schema.fields.filter(([, def]) => def.writeOnly).map(([name]) => name));
    specs = specsOf(schema).filter((spec) => spec.field && !writeOnly.has(spec.field));
    readableCache.set(schema, specs);
  }
  return specs;
}

// hot for exports and list pages: one pass over precomputed column specs per row
export function fromDbRow(schema: EntitySchema, row: DbRow): Entity {
  const entity: Entity = {};
  for (const spec of readableSpecs(schema)) {
    const raw = row[spec.column];
    entity[spec.field!] = spec.reference ? (raw ? { id: raw } : null) : decode(spec, raw);
  }
  return entity;
}
