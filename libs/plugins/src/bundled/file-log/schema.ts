import type { FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['path', { type: 'string', required: true, match: /^[^*&%`]+$/, matchMessage: 'not a valid filename' }],
  ['reopen', { type: 'boolean', required: true, default: false }],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
];
