import type { FieldList } from '@tollgate/schema';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';

/**
 * Kong checks that the memory strategy's shared dict exists in its nginx template. Tollgate's node cache plays
 * the part of `kong_db_cache` (the default, sized by mem_cache_size); any other name is missing, as it would be
 * from Kong's stock template.
 */
export const NODE_CACHE_DICTIONARIES: ReadonlySet<string> = new Set(['kong_db_cache']);

const sharedDictExists: ConfigCheck = (config) => {
  if (config.strategy !== 'memory') return [];
  const name = (config.memory as { dictionary_name?: unknown } | null)?.dictionary_name;
  return typeof name === 'string' && !NODE_CACHE_DICTIONARIES.has(name) ? [{ message: `missing shared dict '${name}'` }] : [];
};

export const schema: FieldList = withConfigChecks([
  ['response_code', {
    type: 'array', required: true, default: [200, 301, 404], len_min: 1, elements: { type: 'integer', between: [100, 900] },
    description: 'Upstream response status code considered cacheable.',
  }],
  ['request_method', {
    type: 'array', required: true, default: ['GET', 'HEAD'], elements: { type: 'string', one_of: ['HEAD', 'GET', 'POST', 'PATCH', 'PUT'] },
    description: 'Downstream request methods considered cacheable.',
  }],
  ['content_type', {
    type: 'array', required: true, default: ['text/plain', 'application/json'], elements: { type: 'string' },
    description: 'Upstream response content types considered cacheable. The plugin performs an **exact match** against each specified value.',
  }],
  ['cache_ttl', { type: 'integer', default: 300, gt: 0, description: 'TTL, in seconds, of cache entities.' }],
  ['strategy', { type: 'string', required: true, one_of: ['memory'], description: 'The backing data store in which to hold cache entities.' }],
  ['cache_control', { type: 'boolean', required: true, default: false, description: 'When enabled, respect the Cache-Control behaviors defined in RFC7234.' }],
  ['ignore_uri_case', { type: 'boolean', required: false, default: false }],
  ['storage_ttl', {
    type: 'integer',
    description: 'Number of seconds to keep resources in the storage backend. This value is independent of `cache_ttl` or resource TTLs defined by Cache-Control behaviors.',
  }],
  ['memory', {
    type: 'record',
    fields: [
      ['dictionary_name', {
        type: 'string', required: true, default: 'kong_db_cache',
        description: 'The name of the shared dictionary in which to hold cache entities when the memory strategy is selected. Note that this dictionary currently must be defined manually in the Kong Nginx template.',
      }],
    ],
  }],
  ['vary_query_params', {
    type: 'array', elements: { type: 'string' },
    description: 'Relevant query parameters considered for the cache key. If undefined, all params are taken into consideration.',
  }],
  ['vary_headers', {
    type: 'array', elements: { type: 'string' },
    description: 'Relevant headers considered for the cache key. If undefined, none of the headers are taken into consideration.',
  }],
  ['response_headers', {
    type: 'record',
    description: 'Caching related diagnostic headers that should be included in cached responses',
    fields: [
      ['age', { type: 'boolean', default: true }],
      ['X-Cache-Status', { type: 'boolean', default: true }],
      ['X-Cache-Key', { type: 'boolean', default: true }],
    ],
  }],
], [sharedDictExists]);
