import type { FieldList } from '@tollgate/schema';
import { queueRecord } from '../queue-schema';

const url = (value: unknown): string | undefined => {
  if (typeof value !== 'string') return undefined;
  try {
    const u = new URL(value);
    return u.protocol === 'http:' || u.protocol === 'https:' ? undefined : 'missing host in url';
  } catch {
    return 'missing host in url';
  }
};

export const schema: FieldList = [
  ['http_endpoint', { type: 'string', required: true, custom: url, description: 'Where log entries are sent.' }],
  ['method', { type: 'string', default: 'POST', one_of: ['POST', 'PUT', 'PATCH'] }],
  ['content_type', { type: 'string', default: 'application/json', one_of: ['application/json', 'application/json; charset=utf-8'] }],
  ['timeout', { type: 'number', default: 10000 }],
  ['keepalive', { type: 'number', default: 60000 }],
  ['retry_count', { type: 'integer' }],
  ['queue_size', { type: 'integer' }],
  ['flush_timeout', { type: 'number' }],
  ['headers', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
  ['queue', queueRecord],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
];
