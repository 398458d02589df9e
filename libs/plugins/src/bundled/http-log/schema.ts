import type { FieldList } from '@tollgate/schema';
import { urlField } from '../common';
import { queueRecord } from '../queue-schema';

export const schema: FieldList = [
  ['http_endpoint', { ...urlField, required: true, referenceable: true, description: 'Where log entries are sent.' }],
  ['method', { type: 'string', default: 'POST', one_of: ['POST', 'PUT', 'PATCH'] }],
  ['content_type', { type: 'string', default: 'application/json', one_of: ['application/json', 'application/json; charset=utf-8'] }],
  ['timeout', { type: 'number', default: 10000 }],
  ['keepalive', { type: 'number', default: 60000 }],
  ['retry_count', { type: 'integer' }],
  ['queue_size', { type: 'integer' }],
  ['flush_timeout', { type: 'number' }],
  ['headers', { type: 'map', keys: { type: 'string' }, values: { type: 'string', referenceable: true } }],
  ['queue', queueRecord],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
];
