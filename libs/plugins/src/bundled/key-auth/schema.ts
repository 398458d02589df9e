import type { FieldList } from '@tollgate/schema';
import { anonymous, headerNames, hideCredentials, realm, runOnPreflight } from '../common';

export const schema: FieldList = [
  ['key_names', { ...headerNames(['apikey']), description: 'Header / query / body parameter names carrying the key.' }],
  ['hide_credentials', hideCredentials],
  ['anonymous', anonymous],
  ['key_in_header', { type: 'boolean', required: true, default: true }],
  ['key_in_query', { type: 'boolean', required: true, default: true }],
  ['key_in_body', { type: 'boolean', required: true, default: false }],
  ['run_on_preflight', runOnPreflight],
  ['realm', realm(null)],
];

/** Kong's `consumer = typedefs.no_consumer`: this plugin is never scoped to a consumer. */
export const noConsumer = true;
