import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';
import { checkTarget, normalizeTarget } from '../fields/strings';

export const targets: EntitySchema = {
  name: 'targets',
  adminPath: '/targets',
  adminDisabled: true,
  primaryKey: ['id'],
  endpointKey: 'target',
  endpointKeyScope: 'upstream',
  cacheKey: ['upstream', 'target'],
  description: 'A backend address (host or IP with port) an upstream balances over.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampMs],
    ['updated_at', { ...t.autoTimestampMs, description: 'Unix epoch in seconds with millisecond precision, of the last update.', example: 1712345999.456 }],
    ['upstream', t.foreign('upstreams', { required: true, on_delete: 'cascade', description: 'Upstream this target belongs to.', example: { id: '5f1c2b3a-6d4e-4f7a-8b9c-0d1e2f3a4b5c' } })],
    ['target', {
      type: 'string', required: true,
      custom: (v) => (typeof v === 'string' ? checkTarget(v) : undefined),
      normalize: (v) => normalizeTarget(v as string),
      description: 'host[:port] or ip[:port] (IPv6 in brackets); the port defaults to 8000.', example: '10.0.0.7:8080',
    }],
    ['weight', { type: 'integer', default: 100, between: [0, 65535], description: 'Share of traffic relative to other targets; 0 disables the target.', example: 100 }],
    ['tags', t.tags],
  ],
};
