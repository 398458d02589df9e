import { typedefs, type FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['header_name', { ...typedefs.headerToken, default: 'Kong-Request-ID' }],
  ['generator', { type: 'string', required: true, default: 'uuid#counter', one_of: ['uuid', 'uuid#counter', 'tracker'] }],
  ['echo_downstream', { type: 'boolean', required: true, default: false }],
];
