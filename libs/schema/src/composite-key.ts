// Composite uniqueness (plugins' name+route+service+consumer, targets within an upstream, acls per consumer):
// the database stores it as one `cache_key` column, and a declarative file is checked against the same key
// before import, so `tollgate config parse` refuses what the database would.
import type { EntitySchema } from './types';

type Entity = Record<string, unknown>;

export function compositeKeyFields(schema: EntitySchema): readonly string[] | undefined {
  if (schema.cacheKey?.length) return schema.cacheKey;
  if (schema.endpointKeyScope && schema.endpointKey) return [schema.endpointKeyScope, schema.endpointKey];
  return undefined;
}

function foreignId(value: unknown): string | null {
  if (value && typeof value === 'object' && typeof (value as Entity).id === 'string') return (value as Entity).id as string;
  return null;
}

/** The composite key string: NULLs compare equal here, unlike in a SQL UNIQUE index. */
export function compositeKeyOf(schema: EntitySchema, entity: Entity): string | null {
  const fields = compositeKeyFields(schema);
  if (!fields) return null;
  const parts = fields.map((name) => {
    const value = entity[name];
    if (value === null || value === undefined) return '';
    return typeof value === 'object' ? (foreignId(value) ?? '') : String(value);
  });
  return `${schema.name}:${parts.join(':')}`;
}
