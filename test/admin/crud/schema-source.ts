// The real entity schemas from libs/schema, plus two small plugin config schemas so plugin tests do not depend
// on libs/plugins.
import { ENTITIES, validateEntity, type FieldList } from '@tollgate/schema';
import type { SchemaSource } from '../../../apps/admin/src/persistence';

export const PLUGIN_CONFIGS: ReadonlyMap<string, FieldList> = new Map<string, FieldList>([
  ['rate-limiting', [['minute', { type: 'integer', gt: 0 }], ['hour', { type: 'integer', gt: 0 }], ['policy', { type: 'string', default: 'local', one_of: ['local', 'redis'] }]]],
  ['key-auth', [['key_names', { type: 'array', elements: { type: 'string' }, default: ['apikey'] }], ['hide_credentials', { type: 'boolean', default: false }]]],
]);

export const schemaSource: SchemaSource = {
  entities: ENTITIES,
  validate: validateEntity,
  pluginSchemas: PLUGIN_CONFIGS,
};

