// Config of the example plugin, in the same schema language as Tollgate's entities (libs/schema FieldList).
import type { FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['header_name', { type: 'string', required: true, default: 'X-Tollgate-Example', description: 'Header added to the upstream request.' }],
  ['value', { type: 'string', required: true, len_min: 1, description: 'Value of the header.' }],
  ['with_consumer', { type: 'boolean', required: true, default: true, description: "Append '; consumer=<username>' when a consumer is authenticated." }],
  ['echo_downstream', { type: 'boolean', required: true, default: false, description: 'Also send the header to the client.' }],
];
