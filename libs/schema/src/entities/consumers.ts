import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';
import { atLeastOneOf } from './checks';

export const consumers: EntitySchema = {
  name: 'consumers',
  adminPath: '/consumers',
  primaryKey: ['id'],
  endpointKey: 'username',
  description: 'A user or application consuming the proxied APIs; credentials and plugins attach to it.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['username', { type: 'string', unique: true, description: 'Unique user name.', example: 'alice' }],
    ['custom_id', { type: 'string', unique: true, description: 'Unique id from an external user store.', example: 'crm-4711' }],
    ['tags', t.tags],
  ],
  entityChecks: [atLeastOneOf(['custom_id', 'username'])],
};
