import type { FieldDef, FieldList } from '@tollgate/schema';
import { flatShorthands, typedefs, withShorthandFields } from '@tollgate/schema';
import { atLeastOneOf, requiredWhen, withConfigChecks, type ConfigCheck } from '../../validate-config';

export const PERIODS = ['second', 'minute', 'hour', 'day', 'month', 'year'] as const;
export type Period = (typeof PERIODS)[number];

const limit: FieldDef = { type: 'number', gt: 0 };

export const redisFields: FieldList = [
    ['host', { ...typedefs.host }],
    ['port', { ...typedefs.port, default: 6379 }],
    ['timeout', { ...typedefs.timeout, default: 2000 }],
    ['username', { type: 'string', referenceable: true }],
    ['password', { type: 'string', referenceable: true }],
    ['database', { type: 'integer', default: 0 }],
    ['ssl', { type: 'boolean', required: true, default: false }],
    ['ssl_verify', { type: 'boolean', required: true, default: false }],
    ['server_name', { ...typedefs.sni }],
];

/** Kong's kong.tools.redis.schema config_schema, shared by the rate limiting plugins. */
export const redis: FieldDef = { type: 'record', required: true, description: 'Redis connection for the redis policy.', fields: redisFields };

/** Kong 3.x still accepts (and echoes) the pre-3.6 flat `redis_*` fields; response-ratelimiting shares them. */
export const REDIS_SHORTHANDS = flatShorthands('redis', redisFields,
  ['host', 'port', 'password', 'username', 'ssl', 'ssl_verify', 'server_name', 'timeout', 'database'],
  { password: { len_min: 0 } });

/** Kong: a longer window may not allow fewer requests than a shorter one. */
const periodsInOrder: ConfigCheck = (c) => {
  for (let i = 0; i < PERIODS.length; i++) {
    const low = c[PERIODS[i]];
    if (typeof low !== 'number') continue;
    for (let j = i + 1; j < PERIODS.length; j++) {
      const high = c[PERIODS[j]];
      if (typeof high === 'number' && high < low) {
        return [{ path: 'config', message: `The limit for ${PERIODS[j]}(${high.toFixed(1)}) cannot be lower than the limit for ${PERIODS[i]}(${low.toFixed(1)})` }];
      }
    }
  }
  return [];
};

export const schema = withShorthandFields(withConfigChecks([
  ...PERIODS.map((p): [string, FieldDef] => [p, { ...limit, description: `Requests allowed per ${p}.` }]),
  ['limit_by', { type: 'string', default: 'consumer', one_of: ['consumer', 'credential', 'ip', 'service', 'header', 'path'] }],
  ['header_name', typedefs.headerName],
  ['path', typedefs.path],
  ['policy', { type: 'string', default: 'local', len_min: 0, one_of: ['local', 'cluster', 'redis'] }],
  ['fault_tolerant', { type: 'boolean', required: true, default: true }],
  ['redis', redis],
  ['hide_client_headers', { type: 'boolean', required: true, default: false }],
  ['error_code', { type: 'number', default: 429, gt: 0 }],
  ['error_message', { type: 'string', default: 'API rate limit exceeded' }],
  ['sync_rate', { type: 'number', required: true, default: -1 }],
], [
  atLeastOneOf([...PERIODS]),
  periodsInOrder,
  requiredWhen('policy', 'redis', 'redis.host'),
  requiredWhen('policy', 'redis', 'redis.port'),
  requiredWhen('policy', 'redis', 'redis.timeout'),
  requiredWhen('limit_by', 'header', 'header_name'),
  requiredWhen('limit_by', 'path', 'path'),
]), REDIS_SHORTHANDS);
