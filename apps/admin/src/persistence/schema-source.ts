// The persistence layer is derived from libs/schema. It is injected (not imported statically) so tests can run
// against a small fixture registry and so the DAO never reaches into the schema library's internals.
import { ENTITIES, validateEntity, type EntitySchema, type ValidateOptions, type ValidationResult } from '@tollgate/schema';

export interface SchemaSource {
  readonly entities: ReadonlyMap<string, EntitySchema>;
  readonly validate: (schema: EntitySchema, input: Record<string, unknown>, opts: ValidateOptions) => ValidationResult;
  readonly pluginSchemas?: ValidateOptions['pluginSchemas'];
}

export const SCHEMA_SOURCE = Symbol('SCHEMA_SOURCE');

/** Names that are indexes or read-only views rather than tables. */
const NOT_STORED = new Set(['tags']);

export function storedSchemas(source: SchemaSource): EntitySchema[] {
  return [...source.entities.values()].filter((schema) => !NOT_STORED.has(schema.name));
}

/** The real registry from libs/schema; plugin config schemas are added by the caller (libs/plugins). */
export function loadDefaultSchemaSource(): SchemaSource {
  return { entities: ENTITIES, validate: validateEntity };
}
