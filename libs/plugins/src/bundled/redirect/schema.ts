import type { FieldList } from '@tollgate/schema';
import { url } from '../common';

export const schema: FieldList = [
  ['status_code', { type: 'integer', required: true, default: 301, between: [100, 599], description: 'The response code to send.' }],
  ['location', { type: 'string', required: true, custom: url, description: 'The URL to redirect to.' }],
  ['keep_incoming_path', { type: 'boolean', default: false, description: "Use the incoming request's path and query string in the redirect URL." }],
];
