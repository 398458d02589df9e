// OpenAPI 3.0 component schemas derived from the entity schemas: the response shape (every field, nullable
// when optional), the create body (required fields that have no default) and the update body (nothing required).
import { EntitySchema, FieldDef, FieldList } from './types';

export type OpenApiMode = 'response' | 'create' | 'update';
type Obj = Record<string, unknown>;

function typeOf(def: FieldDef, mode: OpenApiMode): Obj {
  switch (def.type) {
    case 'string': return { type: 'string', ...(def.uuid ? { format: 'uuid' } : {}) };
    case 'integer': return { type: 'integer' };
    case 'number': return { type: 'number' };
    case 'boolean': return { type: 'boolean' };
    case 'array': return { type: 'array', items: def.elements ? fieldSchema(def.elements, mode, true) : {} };
    case 'set': return { type: 'array', uniqueItems: true, items: def.elements ? fieldSchema(def.elements, mode, true) : {} };
    case 'map': return { type: 'object', additionalProperties: def.values ? fieldSchema(def.values, mode, true) : true };
    case 'record':
      if (def.resolveFields) return { type: 'object', additionalProperties: true };
      return recordSchema(def.fields ?? [], mode, false);
    case 'foreign':
      return { type: 'object', properties: { id: { type: 'string', format: 'uuid' } }, ...(mode === 'response' ? { required: ['id'] } : {}) };
    default: return {};
  }
}

function fieldSchema(def: FieldDef, mode: OpenApiMode, element = false): Obj {
  const out: Obj = typeOf(def, mode);
  if (!element && !def.required) out.nullable = true;
  if (def.one_of) out.enum = [...def.one_of];
  if (def.between) {
    out.minimum = def.between[0];
    out.maximum = def.between[1];
  }
  if (def.gt !== undefined) {
    out.minimum = def.gt;
    out.exclusiveMinimum = true;
  }
  const isList = def.type === 'array' || def.type === 'set';
  const min = def.len_min ?? (def.type === 'string' ? 1 : undefined);
  if (min !== undefined) out[isList ? 'minItems' : 'minLength'] = min;
  if (def.len_max !== undefined) out[isList ? 'maxItems' : 'maxLength'] = def.len_max;
  if (def.match) out.pattern = def.match.source;
  if (def.default !== undefined && mode !== 'update') out.default = def.default;
  if (def.description) out.description = def.description;
  if (def.example !== undefined) out.example = def.example;
  return out;
}

function recordSchema(fields: FieldList, mode: OpenApiMode, topLevel: boolean, extra: FieldList = []): Obj {
  const properties: Obj = {};
  const required: string[] = [];
  for (const [name, def] of [...fields, ...extra]) {
    if (mode === 'response' && (def.writeOnly || extra.some(([n]) => n === name))) continue;
    properties[name] = fieldSchema(def, mode);
    if (mode === 'response') required.push(name);
    else if (mode === 'create' && def.required && def.default === undefined && !def.auto) required.push(name);
  }
  const out: Obj = { type: 'object', properties };
  if (required.length && !(topLevel && mode === 'update')) out.required = required;
  if (mode !== 'response') out.additionalProperties = false;
  return out;
}

/** One entity's component schema for a response, a create (POST/PUT) body or an update (PATCH) body. */
export function toOpenApiSchema(schema: EntitySchema, options: { mode: OpenApiMode }): Obj {
  const shorthands: FieldList = (schema.shorthands ?? []).map((s) => [s.name, s.field]);
  const out = recordSchema(schema.fields, options.mode, true, options.mode === 'response' ? [] : shorthands);
  if (schema.description) out.description = schema.description;
  out.example = exampleOf(schema, options.mode);
  return out;
}

/** A whole example entity built from the field examples. */
export function exampleOf(schema: EntitySchema, mode: OpenApiMode): Obj {
  const out: Obj = {};
  for (const [name, def] of schema.fields) {
    if (mode !== 'response' && def.auto) continue;
    if (mode === 'response' && def.writeOnly) continue;
    out[name] = exampleValue(def);
  }
  return out;
}

// records are rebuilt from their fields so the whole example is complete
function exampleValue(def: FieldDef): unknown {
  if (def.type === 'record' && !def.resolveFields && def.fields?.length) {
    return Object.fromEntries(def.fields.map(([name, sub]) => [name, exampleValue(sub)]));
  }
  return def.example ?? def.default ?? null;
}

/** Kong's error bodies, for the responses of every operation. */
export const OPENAPI_ERROR_SCHEMAS: Readonly<Record<string, Obj>> = {
  KongError: {
    type: 'object',
    description: 'A DAO error: schema, unique or foreign-key violation, not found, invalid size or offset.',
    required: ['code', 'name', 'message'],
    properties: {
      code: { type: 'integer', description: 'Kong error code (2 = schema violation, 5 = unique violation, ...).', example: 2 },
      name: { type: 'string', description: 'Kong error name.', example: 'schema violation' },
      message: { type: 'string', description: 'Human readable summary.', example: 'schema violation (host: required field missing)' },
      fields: { type: 'object', additionalProperties: true, description: 'Error tree mirroring the entity fields.', example: { host: 'required field missing' } },
    },
  },
  KongMessage: {
    type: 'object',
    description: 'A plain error answer.',
    required: ['message'],
    properties: { message: { type: 'string', description: 'What went wrong.', example: 'Not found' } },
  },
};
