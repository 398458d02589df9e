import type { FieldList } from '@tollgate/schema';
import { anonymous, hideCredentials, realm } from '../common';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';

const FLOWS = ['enable_authorization_code', 'enable_implicit_grant', 'enable_client_credentials', 'enable_password_grant'];

/** Kong's custom_validator on the config record: the message lands at `config`. */
const someFlow: ConfigCheck = (c) =>
  FLOWS.some((f) => c[f] === true) ? [] : [{ path: 'config', message: `at least one of these fields must be true: ${FLOWS.join(', ')}` }];

/** Kong's conditional: mandatory_scope needs scopes. */
const scopesWhenMandatory: ConfigCheck = (c) =>
  c.mandatory_scope === true && (c.scopes === null || c.scopes === undefined)
    ? [{ path: 'config.scopes', message: 'required field missing' }]
    : [];

const flag = (description: string) => ({ type: 'boolean' as const, required: true, default: false, description });

export const schema = withConfigChecks([
  ['scopes', { type: 'array', elements: { type: 'string' }, description: 'Scope names available to the end user.' }],
  ['mandatory_scope', flag('Require at least one scope to be authorized by the end user.')],
  ['provision_key', { type: 'string', unique: true, auto: true, required: true, description: 'Key the authorization server presents; generated when not given.' }],
  ['token_expiration', { type: 'number', default: 7200, required: true, description: 'Seconds a token lasts; 0 disables expiration.' }],
  ['enable_authorization_code', flag('Enable the Authorization Code flow (RFC 6749 4.1).')],
  ['enable_implicit_grant', flag('Enable the Implicit Grant flow (RFC 6749 4.2).')],
  ['enable_client_credentials', flag('Enable the Client Credentials flow (RFC 6749 4.4).')],
  ['enable_password_grant', flag('Enable the Resource Owner Password Credentials flow (RFC 6749 4.3).')],
  ['hide_credentials', hideCredentials],
  ['accept_http_if_already_terminated', flag('Accept HTTP requests a trusted proxy already terminated as HTTPS.')],
  ['anonymous', anonymous],
  ['global_credentials', flag('Tokens are valid on every service whose oauth2 plugin also sets global_credentials.')],
  ['auth_header_name', { type: 'string', default: 'authorization', description: 'Header carrying the access token.' }],
  ['refresh_token_ttl', { type: 'number', between: [0, 100000000], default: 1209600, required: true, description: 'Seconds a refresh token lasts; 0 keeps it forever.' }],
  ['reuse_refresh_token', flag('Keep the refresh token when refreshing an access token.')],
  ['pkce', { type: 'string', default: 'lax', one_of: ['none', 'lax', 'strict'], description: 'How Proof Key for Code Exchange is handled.' }],
  ['realm', realm(null)],
], [someFlow, scopesWhenMandatory]);

/** Kong's typedefs.no_consumer: this plugin cannot be scoped to a consumer. */
export const noConsumer = true;
