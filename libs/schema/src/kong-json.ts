// The JSON Kong's `GET /schemas/{entity}` answers: `{fields:[{name:{...}}], entity_checks:[...]}`, functions
// stripped, foreign fields keeping `reference`.
import { EntitySchema, FieldDef, FieldList } from './types';
import { shorthandFieldsOf } from './fields/shorthand-fields';
import { PROTOCOLS_ANY_FIELD, PROTOCOLS_HTTP_FIELD } from './entities/plugins';

type Json = Record<string, unknown>;

function fieldJson(def: FieldDef): Json {
  const out: Json = { type: def.type };
  if (def.uuid) out.uuid = true;
  if (def.timestamp) out.timestamp = true;
  if (def.auto) out.auto = true;
  if (def.required) out.required = true;
  if (def.unique) out.unique = true;
  if (def.immutable) out.immutable = true;
  if (def.transient) out.transient = true;
  if (def.referenceable) out.referenceable = true;
  if (def.default !== undefined) out.default = def.default;
  if (def.one_of) out.one_of = def.one_of;
  if (def.not_one_of) out.not_one_of = def.not_one_of;
  if (def.between) out.between = def.between;
  if (def.gt !== undefined) out.gt = def.gt;
  if (def.len_min !== undefined) out.len_min = def.len_min;
  if (def.len_max !== undefined) out.len_max = def.len_max;
  if (def.len_eq !== undefined) out.len_eq = def.len_eq;
  if (def.starts_with !== undefined) out.starts_with = def.starts_with;
  if (def.match) out.match = def.match.source;
  if (def.mutually_exclusive_subsets) out.mutually_exclusive_subsets = def.mutually_exclusive_subsets;
  if (def.reference) out.reference = def.reference;
  if (def.on_delete) out.on_delete = def.on_delete;
  if (def.elements) out.elements = fieldJson(def.elements);
  if (def.keys) out.keys = fieldJson(def.keys);
  if (def.values) out.values = fieldJson(def.values);
  if (def.type === 'record') out.fields = fieldsJson(def.fields ?? []);
  const shorthands = def.type === 'record' ? shorthandFieldsOf(def.fields) : [];
  if (shorthands.length) {
    out.shorthand_fields = shorthands.map((s) => ({
      [s.name]: s.echo === false ? fieldJson(s.field) : { ...fieldJson(s.field), deprecation: { replaced_with: [{ path: s.path }] } },
    }));
  }
  if (def.entity_checks?.length) out.entity_checks = def.entity_checks.flatMap((c) => (c.kongJson ? [c.kongJson] : []));
  if (def.description) out.description = def.description;
  return out;
}

export function fieldsJson(fields: FieldList): Json[] {
  return fields.map(([name, def]) => ({ [name]: fieldJson(def) }));
}

export function toKongSchemaJson(schema: EntitySchema): Json {
  const out: Json = { fields: fieldsJson(schema.fields) };
  const checks = (schema.entityChecks ?? []).flatMap((c) => (c.kongJson ? [c.kongJson] : []));
  if (checks.length) out.entity_checks = checks;
  if (schema.shorthands?.length) out.shorthand_fields = schema.shorthands.map((s) => ({ [s.name]: fieldJson(s.field) }));
  if (schema.endpointKey) out.endpoint_key = schema.endpointKey;
  out.primary_key = schema.primaryKey;
  if (schema.cacheKey) out.cache_key = schema.cacheKey;
  return out;
}

/** What a plugin's schema.lua says besides its config: Kong's typedefs.no_consumer / no_service / no_route. */
export interface PluginSubschemaOptions {
  /** `consumer = typedefs.no_consumer`: the plugin cannot be scoped to a consumer. */
  readonly noConsumer?: boolean;
  /** `service = typedefs.no_service` and `route = typedefs.no_route` (global-only plugins such as acme). */
  readonly globalOnly?: boolean;
  /** The plugin-level checks in Kong's JSON form (`entity_checks`, always present, as Kong's schema_to_jsonable). */
  readonly entityChecks?: readonly Json[];
  /** The config record's own entity_checks (Kong's `config = { type = "record", entity_checks = ... }`). */
  readonly configEntityChecks?: readonly Json[];
  /** `protocols = typedefs.protocols_http` (elements one of the HTTP protocols) rather than typedefs.protocols. */
  readonly protocolsHttp?: boolean;
}

// Kong's typedefs.no_consumer / no_service / no_route, as schema_to_jsonable renders them (eq = ngx.null -> null).
const NO_FOREIGN: Readonly<Record<'consumer' | 'service' | 'route', Json>> = {
  consumer: { type: 'foreign', reference: 'consumers', eq: null, description: 'Custom type for representing a foreign key with a null value allowed.' },
  service: { type: 'foreign', reference: 'services', eq: null, description: "A reference to the 'services' table with a null value allowed." },
  route: { type: 'foreign', reference: 'routes', eq: null, description: "A reference to the 'routes' table with a null value allowed." },
};

/**
 * `GET /schemas/plugins/{name}`: the plugin's own schema as Kong keeps it (its schema.lua fields: the scope
 * fields it forbids (`consumer`, `service`, `route` with `eq: null`, which Kong Manager reads to hide those
 * scopes), `protocols` with the plugin's default, then its `config` record) and its entity_checks, not the whole
 * plugins entity.
 */
export function toKongPluginSubschemaJson(configFields: FieldList, protocols: readonly string[], options: PluginSubschemaOptions = {}): Json {
  // Kong's typedefs.protocols_http / typedefs.protocols, with the plugin's own default
  const protocolsDef: FieldDef = { ...(options.protocolsHttp ? PROTOCOLS_HTTP_FIELD : PROTOCOLS_ANY_FIELD), default: [...protocols] };
  const fields: FieldList = [
    ['protocols', protocolsDef],
    ['config', { type: 'record', required: true, fields: configFields }],
  ];
  const scopes: Json[] = [];
  if (options.noConsumer) scopes.push({ consumer: { ...NO_FOREIGN.consumer } });
  if (options.globalOnly) scopes.push({ service: { ...NO_FOREIGN.service } }, { route: { ...NO_FOREIGN.route } });
  const json = fieldsJson(fields);
  if (options.configEntityChecks?.length) (json[1].config as Json).entity_checks = [...options.configEntityChecks];
  return { fields: [...scopes, ...json], entity_checks: [...(options.entityChecks ?? [])] };
}
