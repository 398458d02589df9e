import type { FieldDef, FieldList } from '@tollgate/schema';
import { typedefs, withShorthandFields } from '@tollgate/schema';
import { atLeastOneOf } from '@tollgate/schema/entities/checks';
import { requiredWhen, withConfigChecks } from '../../validate-config';
import { PERIODS } from '../rate-limiting/schema';
import { redis, REDIS_SHORTHANDS } from '../rate-limiting/schema';

/** Kong: within one limit, a longer window may not allow less than a shorter one (record custom_validator). */
function periodsInOrder(value: unknown): string | undefined {
  const limit = value as Record<string, unknown>;
  for (let i = 0; i < PERIODS.length; i++) {
    const low = limit[PERIODS[i]];
    if (typeof low !== 'number') continue;
    for (let j = i + 1; j < PERIODS.length; j++) {
      const high = limit[PERIODS[j]];
      if (typeof high === 'number' && high < low) {
        return `the limit for ${PERIODS[j]}(${high.toFixed(1)}) cannot be lower than the limit for ${PERIODS[i]}(${low.toFixed(1)})`;
      }
    }
  }
  return undefined;
}

/** Kong's len_min = 1 on the map (our len_min counts strings and arrays only). */
const atLeastOneLimit = (value: unknown) => (Object.keys(value as object).length < 1 ? 'length must be at least 1' : undefined);

/**
 * Kong takes any string, but the name becomes part of response header names (X-RateLimit-Limit-{name}-minute):
 * one that cannot be a header name would fail every response, so it is refused here.
 */
const limitName: FieldDef = typedefs.headerName;

const limit: FieldDef = {
  type: 'record',
  required: true,
  fields: PERIODS.map((p): [string, FieldDef] => [p, { type: 'number', gt: 0 }]),
  custom: periodsInOrder,
  entity_checks: [atLeastOneOf([...PERIODS])],
};

export const schema: FieldList = withShorthandFields(withConfigChecks([
  ['header_name', { type: 'string', default: 'x-kong-limit', description: 'The response header the upstream sets to increment the counters.' }],
  ['limit_by', { type: 'string', default: 'consumer', one_of: ['consumer', 'credential', 'ip'] }],
  ['policy', { type: 'string', default: 'local', one_of: ['local', 'cluster', 'redis'] }],
  ['fault_tolerant', { type: 'boolean', required: true, default: true }],
  ['redis', redis],
  ['block_on_first_violation', { type: 'boolean', required: true, default: false }],
  ['hide_client_headers', { type: 'boolean', required: true, default: false }],
  ['limits', { type: 'map', required: true, keys: limitName, len_min: 1, values: limit, custom: atLeastOneLimit, description: 'Limits by name, each with one or more windows.' }],
], [
  requiredWhen('policy', 'redis', 'redis.host'),
  requiredWhen('policy', 'redis', 'redis.port'),
  requiredWhen('policy', 'redis', 'redis.timeout'),
]), REDIS_SHORTHANDS);
