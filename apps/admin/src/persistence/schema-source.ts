// The persistence layer is derived from libs/schema. It is injected (not imported statically) so tests can run
// against a small fixture registry and so the DAO never reaches into the schema library's internals.
import type { EntitySchema, ValidateOptions, ValidationResult } from '@tollgate/schema';

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

/** Loads the real registry from libs/schema; only called when no source was given explicitly. */
export function loadDefaultSchemaSource(): SchemaSource {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const lib = require('@tollgate/schema') as {
    ENTITIES: ReadonlyMap<string, EntitySchema>;
    validateEntity: SchemaSource['validate'];
    PLUGIN_SCHEMAS?: ValidateOptions['pluginSchemas'];
  };
  return { entities: lib.ENTITIES, validate: lib.validateEntity, pluginSchemas: lib.PLUGIN_SCHEMAS };
}
