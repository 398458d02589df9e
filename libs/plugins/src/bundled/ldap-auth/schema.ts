import type { FieldList } from '@tollgate/schema';
import { typedefs } from '@tollgate/schema';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';
import { anonymous, hideCredentials, realm } from '../common';

/** Kong's conditional with then_err: ldaps and start_tls exclude each other. */
const notBothTls: ConfigCheck = (c) =>
  c.ldaps === true && c.start_tls !== false
    ? [{ path: 'config.start_tls', message: "'ldaps' and 'start_tls' cannot be enabled simultaneously" }]
    : [];

export const schema = withConfigChecks([
  ['ldap_host', { ...typedefs.host, required: true, description: 'Host of the LDAP server.' }],
  ['ldap_port', { ...typedefs.port, required: true, default: 389, description: 'Port of the LDAP server.' }],
  ['ldaps', { type: 'boolean', required: true, default: false, description: 'Connect with LDAPS (LDAP over TLS).' }],
  ['start_tls', { type: 'boolean', required: true, default: false, description: 'Issue the StartTLS extended operation on the ldap connection.' }],
  ['verify_ldap_host', { type: 'boolean', required: true, default: false, description: 'Verify the LDAP server certificate.' }],
  ['base_dn', { type: 'string', required: true, description: 'Base DN the user is searched under, e.g. dc=example,dc=com.' }],
  ['attribute', { type: 'string', required: true, description: 'Attribute naming the user, e.g. cn.' }],
  ['cache_ttl', { type: 'number', required: true, default: 60, description: 'Seconds a bind result is cached.' }],
  ['hide_credentials', hideCredentials],
  ['timeout', { type: 'number', default: 10000, description: 'Milliseconds to wait for the LDAP server.' }],
  ['keepalive', { type: 'number', default: 60000, description: 'Milliseconds an idle LDAP connection lives.' }],
  ['anonymous', anonymous],
  ['header_type', { type: 'string', default: 'ldap', description: 'Scheme of the Authorization header.' }],
  ['realm', realm(null)],
], [notBothTls]);

/** Kong's typedefs.no_consumer: this plugin cannot be scoped to a consumer. */
export const noConsumer = true;
