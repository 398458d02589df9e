import { randomBytes } from 'node:crypto';
import type { FieldDef, FieldList } from '@tollgate/schema';
import { withShorthandFields } from '@tollgate/schema';

/** Kong: a random 44-character default secret, drawn when the schema loads (so stored with each plugin). */
const randomSecret = () => randomBytes(33).toString('base64').replace(/[+/=]/g, (c) => (c === '+' ? 'A' : c === '/' ? '0' : 'a')).slice(0, 44);

const HEADER_NAMES = ['id', 'audience', 'subject', 'timeout', 'idling-timeout', 'rolling-timeout', 'absolute-timeout'];
const headers: FieldDef = { type: 'set', elements: { type: 'string', one_of: HEADER_NAMES }, description: 'Session information to send as headers.' };
const num = (def: number, description: string): FieldDef => ({ type: 'number', default: def, description });
const bool = (def: boolean, description: string): FieldDef => ({ type: 'boolean', default: def, description });
const str = (def: string | undefined, description: string): FieldDef => ({ type: 'string', ...(def === undefined ? {} : { default: def }), description });

const fields: FieldList = [
  ['secret', { ...str(randomSecret(), 'The secret used to derive the key that encrypts and authenticates sessions.'), referenceable: true }],
  ['storage', { type: 'string', one_of: ['cookie', 'kong'], default: 'cookie', description: 'cookie: the data travels encrypted in the cookie; kong: it is stored in the database.' }],
  ['audience', str('default', 'The session audience (the intended target application).')],
  ['idling_timeout', num(900, 'Seconds a session may stay unused.')],
  ['rolling_timeout', num(3600, 'Seconds a session may be used until it must be renewed.')],
  ['absolute_timeout', num(86400, 'Seconds after which a session is no longer valid.')],
  ['stale_ttl', num(10, 'Seconds an old cookie stays valid after the session was renewed.')],
  ['cookie_name', str('session', 'The name of the cookie.')],
  ['cookie_path', str('/', 'The path the cookie is available on.')],
  ['cookie_domain', str(undefined, 'The domain the cookie is exchanged with.')],
  ['cookie_same_site', { type: 'string', default: 'Strict', one_of: ['Strict', 'Lax', 'None', 'Default'], description: 'Whether and how the cookie is sent with cross-site requests.' }],
  ['cookie_http_only', bool(true, 'Applies the HttpOnly attribute.')],
  ['cookie_secure', bool(true, 'Applies the Secure attribute.')],
  ['remember', bool(false, 'Enables persistent sessions.')],
  ['remember_cookie_name', str('remember', 'Persistent session cookie name.')],
  ['remember_rolling_timeout', num(604800, 'The persistent session rolling timeout, in seconds.')],
  ['remember_absolute_timeout', num(2592000, 'The persistent session absolute timeout, in seconds.')],
  ['response_headers', headers],
  ['request_headers', headers],
  ['read_body_for_logout', { type: 'boolean', default: false }],
  ['logout_methods', { type: 'set', elements: { type: 'string', one_of: ['GET', 'POST', 'DELETE'] }, default: ['POST', 'DELETE'], description: 'Methods that may log out.' }],
  ['logout_query_arg', str('session_logout', 'The query argument that logs out.')],
  ['logout_post_arg', str('session_logout', 'The body argument that logs out (with read_body_for_logout).')],
  ['hash_subject', bool(false, 'Whether to hash the subject when store_metadata is enabled.')],
  ['store_metadata', bool(false, 'Whether to also store session metadata.')],
];

// Kong's pre-3.2 names, still accepted (cookie_renew is accepted and has no effect in lua-resty-session 4)
export const schema = withShorthandFields(fields, [
  { name: 'cookie_lifetime', field: { type: 'number' }, path: ['rolling_timeout'], echo: false },
  { name: 'cookie_idletime', field: { type: 'number' }, path: ['idling_timeout'], echo: false },
  { name: 'cookie_renew', field: { type: 'number' }, path: [], echo: false },
  { name: 'cookie_discard', field: { type: 'number' }, path: ['stale_ttl'], echo: false },
  { name: 'cookie_samesite', field: { type: 'string' }, path: ['cookie_same_site'], map: (v) => (v === 'off' ? 'Lax' : v), echo: false },
  { name: 'cookie_httponly', field: { type: 'boolean' }, path: ['cookie_http_only'], echo: false },
  { name: 'cookie_persistent', field: { type: 'boolean' }, path: ['remember'], echo: false },
]);

/** Kong's typedefs.no_consumer: this plugin cannot be scoped to a consumer. */
export const noConsumer = true;
