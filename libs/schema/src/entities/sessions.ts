// The session plugin's server-side store (`storage = kong`): Kong's kong/plugins/session/daos.lua `sessions`.
import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';

export const sessions: EntitySchema = {
  name: 'sessions',
  adminPath: '/sessions',
  plugin: 'session',
  primaryKey: ['id'],
  endpointKey: 'session_id',
  cacheKey: ['session_id'],
  ttl: true,
  runtimeData: true,
  description: 'Server-side data of a session of the session plugin (storage = kong).',
  fields: [
    ['id', t.uuid],
    ['session_id', { type: 'string', unique: true, required: true, description: 'Session id carried by the cookie.', example: 'Zl8xZ3p3cGZ0bA' }],
    ['expires', { type: 'integer', description: 'Unix epoch (seconds) when the session ends.', example: 1712349278 }],
    ['data', { type: 'string', description: 'Encrypted session data.', example: 'b64...' }],
    ['created_at', t.autoTimestampS],
    ['ttl', { type: 'integer', between: [0, 100000000], description: 'Seconds until the row expires.', example: 3600 }],
  ],
};

/** With store_metadata: who a server-side session belongs to (Kong's session_metadatas; no Admin API). */
export const session_metadatas: EntitySchema = {
  name: 'session_metadatas',
  adminPath: '/session_metadatas',
  plugin: 'session',
  primaryKey: ['id'],
  noAdminApi: true,
  runtimeData: true,
  description: 'Audience and subject of a stored session (session plugin, store_metadata).',
  fields: [
    ['id', t.uuid],
    ['session', t.foreign('sessions', { required: true, on_delete: 'cascade', description: 'The session.', example: { id: '0d1e3a52-6f32-4b8e-9a1b-1a2b3c4d5e6f' } })],
    ['sid', { type: 'string', description: 'Session id.', example: 'Zl8xZ3p3cGZ0bA' }],
    ['audience', { type: 'string', description: 'Session audience.', example: 'default' }],
    ['subject', { type: 'string', description: 'Session subject (hashed with hash_subject).', example: 'alice' }],
    ['created_at', t.autoTimestampS],
  ],
};
