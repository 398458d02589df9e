import { EntitySchema, FieldDef } from '../types';
import * as t from '../fields/typedefs';
import { checkUpstreamName } from '../fields/strings';
import { conditional, distinct, matches, requiredValue } from './checks';
import { healthchecks } from './healthchecks';

const HASH_ON = ['none', 'consumer', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture'];
const hashField = (description: string): FieldDef => ({ type: 'string', default: 'none', one_of: HASH_ON, description, example: 'header' });
const is = (expected: string) => (value: unknown) => value === expected;
/** hash_fallback's choices when hash_on is one of these, in Kong's order (its message lists them; path's differs). */
const FALLBACK_FOR: ReadonlyArray<readonly [string, string[]]> = [
  ['consumer', ['none', 'ip', 'header', 'cookie', 'path', 'query_arg', 'uri_capture']],
  ['ip', ['none', 'consumer', 'header', 'cookie', 'path', 'query_arg', 'uri_capture']],
  ['path', ['none', 'consumer', 'header', 'cookie', 'query_arg', 'ip', 'uri_capture']],
];

export const upstreams: EntitySchema = {
  name: 'upstreams',
  adminPath: '/upstreams',
  primaryKey: ['id'],
  endpointKey: 'name',
  description: 'A virtual host name balanced over targets, with health checks.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['name', { type: 'string', required: true, unique: true, custom: (v) => (typeof v === 'string' ? checkUpstreamName(v) : undefined), description: 'Host name services use to reach this upstream.', example: 'orders.upstream' }],
    ['algorithm', { type: 'string', default: 'round-robin', one_of: ['consistent-hashing', 'least-connections', 'round-robin', 'latency'], description: 'Load-balancing algorithm.', example: 'round-robin' }],
    ['hash_on', hashField('What consistent hashing hashes on.')],
    ['hash_fallback', hashField('What to hash on when hash_on gives no value.')],
    ['hash_on_header', { ...t.headerName, description: 'Header hashed when hash_on is header.', example: 'x-user-id' }],
    ['hash_fallback_header', { ...t.headerName, description: 'Header hashed when hash_fallback is header.', example: 'x-session' }],
    ['hash_on_cookie', { type: 'string', custom: (v) => (typeof v === 'string' && !/^[A-Za-z0-9!#$%&'*+\-.^_`|~]+$/.test(v) ? `invalid value: ${v}` : undefined), description: 'Cookie used (and set) when hashing on cookie.', example: 'affinity' }],
    ['hash_on_cookie_path', { ...t.path, default: '/', description: 'Path of the hashing cookie.', example: '/' }],
    ['hash_on_query_arg', { type: 'string', len_min: 1, description: 'Query argument hashed when hash_on is query_arg.', example: 'user' }],
    ['hash_fallback_query_arg', { type: 'string', len_min: 1, description: 'Query argument hashed when hash_fallback is query_arg.', example: 'session' }],
    ['hash_on_uri_capture', { type: 'string', len_min: 1, description: 'Route regex capture hashed when hash_on is uri_capture.', example: 'tenant' }],
    ['hash_fallback_uri_capture', { type: 'string', len_min: 1, description: 'Route regex capture hashed when hash_fallback is uri_capture.', example: 'region' }],
    ['slots', { type: 'integer', default: 10000, between: [10, 65536], description: 'Slots in the consistent-hashing ring.', example: 10000 }],
    ['healthchecks', { ...healthchecks }],
    ['tags', t.tags],
    ['host_header', { ...t.hostWithOptionalPort, description: 'Host header sent to targets instead of the upstream name.', example: 'orders.internal' }],
    ['client_certificate', t.foreign('certificates', { on_delete: 'restrict', description: 'Certificate presented to targets for mutual TLS.', example: { id: 'ee9ad3ff-d1e5-4f5f-8b8c-b0a3a5f6c2b1' } })],
    ['use_srv_name', { type: 'boolean', default: false, description: 'Use the SRV record name as Host/SNI when the target resolves through SRV.', example: false }],
  ],
  entityChecks: [
    conditional({ ifField: 'hash_on', when: is('header'), thenField: 'hash_on_header', then: requiredValue }),
    conditional({ ifField: 'hash_fallback', when: is('header'), thenField: 'hash_fallback_header', then: requiredValue }),
    conditional({ ifField: 'hash_on', when: is('cookie'), thenField: 'hash_on_cookie', then: requiredValue }),
    conditional({ ifField: 'hash_fallback', when: is('cookie'), thenField: 'hash_on_cookie', then: requiredValue }),
    conditional({ ifField: 'hash_on', when: is('query_arg'), thenField: 'hash_on_query_arg', then: requiredValue }),
    conditional({ ifField: 'hash_fallback', when: is('query_arg'), thenField: 'hash_fallback_query_arg', then: requiredValue }),
    conditional({ ifField: 'hash_on', when: is('uri_capture'), thenField: 'hash_on_uri_capture', then: requiredValue }),
    conditional({ ifField: 'hash_fallback', when: is('uri_capture'), thenField: 'hash_fallback_uri_capture', then: requiredValue }),
    conditional({ ifField: 'hash_on', when: is('none'), thenField: 'hash_fallback', then: matches({ one_of: ['none'] }) }),
    conditional({ ifField: 'hash_on', when: is('cookie'), thenField: 'hash_fallback', then: matches({ one_of: ['none'] }) }),
    // hash_fallback may repeat hash_on only for the kinds that carry their own key (header, query_arg, uri_capture)
    ...FALLBACK_FOR.map(([kind, allowed]) =>
      conditional({ ifField: 'hash_on', when: is(kind), thenField: 'hash_fallback', then: matches({ one_of: allowed }) }),
    ),
    distinct(['hash_on_header', 'hash_fallback_header']),
    distinct(['hash_on_query_arg', 'hash_fallback_query_arg']),
    distinct(['hash_on_uri_capture', 'hash_fallback_uri_capture']),
  ],
  // Kong's algorithm/hash_on shorthands, in Kong's order (kong/db/schema/entities/upstreams.lua): least-connections
  // and latency clear hash_on; then an explicit hash_on picks the algorithm (none -> round-robin, else
  // consistent-hashing) and a cleared one becomes none. Applied on every write, PATCH included.
  prepare: (input) => {
    const out = { ...input };
    if (input.algorithm === 'least-connections' || input.algorithm === 'latency') out.hash_on = null;
    if ('hash_on' in out) {
      if (out.hash_on === null) out.hash_on = 'none';
      else out.algorithm = out.hash_on === 'none' ? 'round-robin' : 'consistent-hashing';
    }
    return out;
  },
};
