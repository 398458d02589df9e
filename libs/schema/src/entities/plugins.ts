import { EntitySchema, FieldDef } from '../types';
import * as t from '../fields/typedefs';

export const pluginNotEnabled = (name: string) =>
  `plugin '${name}' not enabled; add it to the 'plugins' configuration property`;

export const plugins: EntitySchema = {
  name: 'plugins',
  adminPath: '/plugins',
  primaryKey: ['id'],
  endpointKey: 'instance_name',
  cacheKey: ['name', 'route', 'service', 'consumer'],
  description: 'A plugin instance, applied globally or scoped to a service, route and/or consumer.',
  fields: [
    ['id', t.uuid],
    ['name', { type: 'string', required: true, description: 'Name of the plugin (one of the enabled plugins).', example: 'rate-limiting' }],
    ['instance_name', { ...t.utf8Name, description: 'Unique name for this plugin instance.', example: 'rate-limit-orders' }],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['route', t.foreign('routes', { on_delete: 'cascade', description: 'Route the plugin is scoped to, or null.', example: null })],
    ['service', t.foreign('services', { on_delete: 'cascade', description: 'Service the plugin is scoped to, or null.', example: { id: '7fca84d6-7d37-4a74-a7b0-93e576089a41' } })],
    ['consumer', t.foreign('consumers', { on_delete: 'cascade', description: 'Consumer the plugin is scoped to, or null.', example: null })],
    ['config', {
      type: 'record', fields: [],
      description: "The plugin's configuration; its fields depend on `name`, missing ones get the plugin's defaults.",
      example: { minute: 20, policy: 'local' },
      // the config language of each plugin comes from opts.pluginSchemas (libs/plugins registers them)
      resolveFields: (entity, opts) => (typeof entity.name === 'string' ? opts.pluginSchemas?.get(entity.name) : undefined),
      unresolved: (entity) => (typeof entity.name === 'string' ? { field: 'name', message: pluginNotEnabled(entity.name) } : undefined),
    }],
    ['protocols', { type: 'set', required: true, elements: { type: 'string', one_of: t.PROTOCOLS }, default: ['grpc', 'grpcs', 'http', 'https'], description: 'Request protocols the plugin runs for.', example: ['http', 'https'] }],
    ['enabled', { type: 'boolean', required: true, default: true, description: 'Whether the plugin runs.', example: true }],
    ['tags', t.tags],
  ],
};

/** Kong's typedefs.protocols_http, the `protocols` field of most plugins' schema.lua (the auth plugins, rate-limiting,
 *  cors, ...): only the HTTP subsystem's protocols. */
export const PROTOCOLS_HTTP_FIELD: FieldDef = {
  type: 'set', required: true, default: [...t.HTTP_PROTOCOLS], elements: { type: 'string', one_of: t.HTTP_PROTOCOLS },
  description: 'A set of strings representing HTTP protocols.',
};

/** Kong's typedefs.protocols (the logging plugins, ip-restriction, pre-function, ...): any protocol. */
export const PROTOCOLS_ANY_FIELD: FieldDef = {
  type: 'set', required: true, default: [...t.HTTP_PROTOCOLS],
  elements: { type: 'string', one_of: t.PROTOCOLS, description: 'A string representing a protocol, such as HTTP or HTTPS.' },
  description: 'A set of strings representing protocols.',
};

/** The plugins entity as a protocols_http plugin's subschema narrows it: what its instances are validated with. */
export const httpProtocolPlugins: EntitySchema = {
  ...plugins,
  fields: plugins.fields.map(([name, def]) => [name, name === 'protocols' ? { ...def, elements: PROTOCOLS_HTTP_FIELD.elements } : def]),
};
