import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';

export const snis: EntitySchema = {
  name: 'snis',
  adminPath: '/snis',
  primaryKey: ['id'],
  endpointKey: 'name',
  description: 'A TLS server name mapped to a certificate.',
  fields: [
    ['id', t.uuid],
    ['name', { ...t.sni, required: true, unique: true, description: 'Server name; one leading or trailing `*` label allowed.', example: 'api.example.com' }],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['tags', t.tags],
    ['certificate', t.foreign('certificates', { required: true, on_delete: 'cascade', description: 'Certificate served for this name.', example: { id: 'ee9ad3ff-d1e5-4f5f-8b8c-b0a3a5f6c2b1' } })],
  ],
};
