import type { FieldList } from '@tollgate/schema';
import { containsWhenAbove, withConfigChecks } from '../../validate-config';
import { anonymous, headerNames, realm, runOnPreflight } from '../common';

export const schema: FieldList = withConfigChecks([
  ['uri_param_names', { type: 'set', elements: { type: 'string' }, default: ['jwt'] }],
  ['cookie_names', { type: 'set', elements: { type: 'string' }, default: [] }],
  ['key_claim_name', { type: 'string', default: 'iss' }],
  ['secret_is_base64', { type: 'boolean', required: true, default: false }],
  ['claims_to_verify', { type: 'set', elements: { type: 'string', one_of: ['exp', 'nbf'] } }],
  ['anonymous', anonymous],
  ['run_on_preflight', runOnPreflight],
  ['maximum_expiration', { type: 'number', default: 0, between: [0, 31536000] }],
  ['header_names', { ...headerNames(['authorization']), type: 'set' }],
  ['realm', realm(null)],
], [containsWhenAbove('maximum_expiration', 0, 'claims_to_verify', 'exp')]);

/** Kong's `consumer = typedefs.no_consumer`: this plugin is never scoped to a consumer. */
export const noConsumer = true;
