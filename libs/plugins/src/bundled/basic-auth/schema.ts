import type { FieldList } from '@tollgate/schema';
import { anonymous, hideCredentials, realm } from '../common';

export const schema: FieldList = [
  ['anonymous', anonymous],
  ['hide_credentials', hideCredentials],
  ['realm', realm('service')],
];
