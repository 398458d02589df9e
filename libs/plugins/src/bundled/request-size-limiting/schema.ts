import type { FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['allowed_payload_size', { type: 'integer', required: true, default: 128 }],
  ['size_unit', { type: 'string', required: true, default: 'megabytes', one_of: ['megabytes', 'kilobytes', 'bytes'] }],
  ['require_content_length', { type: 'boolean', required: true, default: false }],
];
