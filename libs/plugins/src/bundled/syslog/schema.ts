import type { FieldList } from '@tollgate/schema';
import { severityField } from '../../log/severity';
import { FACILITIES } from './local-syslog';

export const schema: FieldList = [
  ['log_level', severityField],
  ['successful_severity', severityField],
  ['client_errors_severity', severityField],
  ['server_errors_severity', severityField],
  ['custom_fields_by_lua', { type: 'map', keys: { type: 'string' }, values: { type: 'string' } }],
  ['facility', { type: 'string', default: 'user', one_of: FACILITIES, description: 'Syslog facility of the entries.' }],
];
