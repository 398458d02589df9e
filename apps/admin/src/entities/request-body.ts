// The request body as an entity input: JSON as sent, forms coerced with the entity (and plugin) schema.
import type { AdminRequest as Request } from '../common/http-types';
import type { EntitySchema } from '@tollgate/schema';
import { schemaViolation } from '@tollgate/errors';
import { coerceFormRecord, isFormBody } from '../common';
import type { Entity } from '../persistence';
import type { SchemaSource } from '../persistence';

export function isPlainObject(value: unknown): value is Entity {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function entityInput(req: Request, schema: EntitySchema, source: SchemaSource, storedPluginName?: string): Entity {
  const body: unknown = req.body ?? {};
  if (!isPlainObject(body)) throw schemaViolation({ '@entity': ['expected a record'] });
  if (!isFormBody(req)) return body;
  const pluginName = typeof body.name === 'string' ? body.name : storedPluginName;
  return coerceFormRecord(schema.fields, body, source.pluginSchemas, pluginName) as Entity;
}
