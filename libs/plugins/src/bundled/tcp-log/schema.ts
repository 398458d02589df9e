import { typedefs, type FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['host', { ...typedefs.host, required: true, description: 'Host of the TCP log receiver.' }],
  ['port', { ...typedefs.port, required: true, description: 'Port of the TCP log receiver.' }],
  ['timeout', { type: 'number', default: 10000, description: 'Connect and send timeout, in milliseconds.' }],
  ['keepalive', { type: 'number', default: 60000, description: 'How long an idle connection is kept for reuse, in milliseconds.' }],
  ['tls', { type: 'boolean', required: true, default: false, description: 'Send over TLS.' }],
  ['tls_sni', { type: 'string', description: 'Server name sent in the TLS handshake.' }],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
];
