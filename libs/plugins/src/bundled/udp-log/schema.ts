import { typedefs, type FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['host', { ...typedefs.host, required: true, description: 'Host of the UDP log receiver.' }],
  ['port', { ...typedefs.port, required: true, description: 'Port of the UDP log receiver.' }],
  ['timeout', { type: 'number', default: 10000, description: 'Send timeout, in milliseconds.' }],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
];
