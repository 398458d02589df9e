// The acme plugin's `storage = kong` (Kong's kong/plugins/acme/daos.lua `acme_storage`): account keys, pending
// HTTP-01 challenges, renewal list, locks. Written by the control plane's orders; no Admin API (it holds keys).
import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';

export const acme_storage: EntitySchema = {
  name: 'acme_storage',
  adminPath: '/acme_storage',
  plugin: 'acme',
  primaryKey: ['id'],
  endpointKey: 'key',
  cacheKey: ['key'],
  ttl: true,
  noAdminApi: true,
  runtimeData: true,
  description: 'A key/value row of the acme plugin (storage = kong).',
  fields: [
    ['id', t.uuid],
    ['key', { type: 'string', required: true, unique: true, description: 'Storage key.', example: 'kong_acme:renew_config:example.com' }],
    ['value', { type: 'string', required: true, description: 'Stored value.', example: '{"host":"example.com"}' }],
    ['created_at', t.autoTimestampS],
    ['ttl', { type: 'integer', between: [0, 100000000], description: 'Seconds until the row expires.', example: 30 }],
  ],
};
