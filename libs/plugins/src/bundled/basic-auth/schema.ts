import type { FieldList } from '@tollgate/schema';
import { anonymous, hideCredentials, realm } from '../common';

export const schema: FieldList = [
  ['anonymous', anonymous],
  ['hide_credentials', hideCredentials],
  ['realm', realm('service')],
];

/** Kong's `consumer = typedefs.no_consumer`: this plugin is never scoped to a consumer. */
export const noConsumer = true;
