import type { FieldList } from '@tollgate/schema';
import { anonymous, hideCredentials, realm } from '../common';

export const ALGORITHMS = ['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'] as const;

export const schema: FieldList = [
  ['hide_credentials', hideCredentials],
  ['clock_skew', { type: 'number', default: 300, gt: 0, description: 'Clock skew in seconds to prevent replay attacks.' }],
  ['anonymous', anonymous],
  ['validate_request_body', { type: 'boolean', required: true, default: false, description: 'Check the Digest header against the body.' }],
  ['enforce_headers', { type: 'array', elements: { type: 'string' }, default: [], description: 'Headers the client must at least sign.' }],
  ['algorithms', { type: 'array', elements: { type: 'string', one_of: [...ALGORITHMS] }, default: [...ALGORITHMS], description: 'HMAC digest algorithms accepted.' }],
  ['realm', realm(null)],
];

/** Kong's typedefs.no_consumer: this plugin cannot be scoped to a consumer. */
export const noConsumer = true;
