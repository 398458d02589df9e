import { typedefs, type FieldList } from '@tollgate/schema';
import { severityField } from '../../log/severity';

export const schema: FieldList = [
  ['host', { ...typedefs.host, default: 'logs-01.loggly.com', description: 'Loggly syslog endpoint.' }],
  ['port', { ...typedefs.port, default: 514, description: 'Port of the Loggly syslog endpoint (UDP).' }],
  ['key', { type: 'string', required: true, referenceable: true, description: 'Loggly customer token.' }],
  ['tags', { type: 'set', elements: { type: 'string' }, default: ['kong'], description: 'Loggly tags of each entry.' }],
  ['log_level', severityField],
  ['successful_severity', severityField],
  ['client_errors_severity', severityField],
  ['server_errors_severity', severityField],
  ['timeout', { type: 'number', default: 10000, description: 'Send timeout, in milliseconds.' }],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
];
