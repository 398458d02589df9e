// The oauth2 plugin's entities (Kong's kong/plugins/oauth2/daos.lua): client applications of consumers, and the
// authorization codes and tokens the proxy issues to them.
import { EntitySchema, FieldDef } from '../types';
import * as t from '../fields/typedefs';
import { hashOauth2Secret } from './oauth2-secret';

const created = t.autoTimestampS;

/** Kong parses with socket.url: a redirect URI needs a scheme and a host, and no fragment. */
function checkRedirectUri(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\/([^/?#]*)([^#]*)(#.*)?$/.exec(value);
  if (!m || m[2] === '') return `cannot parse '${value}'`;
  if (m[4] !== undefined) return `fragment not allowed in '${value}'`;
  return undefined;
}

const service: FieldDef = t.foreign('services', { on_delete: 'cascade', description: 'Service the token is bound to (null with global_credentials).', example: null });
const credential: FieldDef = t.foreign('oauth2_credentials', { required: true, on_delete: 'cascade', description: 'Client application the token was issued to.', example: { id: '4ae6b1d5-4c4e-4ce1-8c2b-6b4c2f4d0a11' } });

export const oauth2_credentials: EntitySchema = {
  name: 'oauth2_credentials',
  adminPath: '/oauth2',
  plugin: 'oauth2',
  primaryKey: ['id'],
  endpointKey: 'client_id',
  cacheKey: ['client_id'],
  description: 'An OAuth 2.0 client application of a consumer, for the oauth2 plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['consumer', t.foreign('consumers', { required: true, on_delete: 'cascade', description: 'Consumer owning the application.', example: { id: '84a73fc8-a5c3-4e1a-a4b2-b4a0c0cbb5e2' } })],
    ['name', { type: 'string', required: true, description: 'Application name.', example: 'my-app' }],
    ['client_id', { type: 'string', unique: true, auto: true, description: 'Client id; generated when not given.', example: 'a36c3049b36249a3c9f8891cb127243c' }],
    ['client_secret', { type: 'string', auto: true, description: 'Client secret; generated when not given (stored hashed with hash_secret).', example: 'e71829c351aa4242c2719cbfbe671c09' }],
    ['hash_secret', { type: 'boolean', required: true, default: false, description: 'Store the client secret as a PBKDF2 hash.', example: false }],
    ['redirect_uris', { type: 'array', elements: { type: 'string', custom: checkRedirectUri }, description: 'Allowed redirect URIs.', example: ['https://app.example.com/cb'] }],
    ['tags', t.tags],
    ['client_type', { type: 'string', required: true, default: 'confidential', one_of: ['confidential', 'public'], description: 'Public clients may use PKCE without a secret.', example: 'confidential' }],
  ],
  // hash only a new clear-text secret: an unchanged stored hash stays as it is
  transform: (entity, previous) => {
    if (entity.hash_secret !== true || typeof entity.client_secret !== 'string') return entity;
    if (previous && entity.client_secret === previous.client_secret && previous.hash_secret === true) return entity;
    return { ...entity, client_secret: hashOauth2Secret(entity.client_secret) };
  },
};

export const oauth2_authorization_codes: EntitySchema = {
  name: 'oauth2_authorization_codes',
  adminPath: '/oauth2_authorization_codes',
  plugin: 'oauth2',
  primaryKey: ['id'],
  ttl: true,
  noAdminApi: true,
  runtimeData: true,
  description: 'A one-time authorization code of the authorization_code grant.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['service', service],
    ['credential', credential],
    ['code', { type: 'string', unique: true, auto: true, description: 'The code; generated when not given.', example: 'Kf3OAwOLn2XpsdXOv9Y2rRQ0R5YtQFbq' }],
    ['authenticated_userid', { type: 'string', description: 'End user the code was granted for.', example: 'user-42' }],
    ['scope', { type: 'string', description: 'Space-separated granted scopes.', example: 'email' }],
    ['challenge', { type: 'string', description: 'PKCE code challenge (base64url).', example: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM' }],
    ['challenge_method', { type: 'string', one_of: ['S256'], description: 'PKCE challenge method.', example: 'S256' }],
    ['plugin', t.foreign('plugins', { on_delete: 'cascade', description: 'The oauth2 plugin instance that issued the code.', example: null })],
    ['ttl', { type: 'integer', between: [0, 100000000], description: 'Seconds until the code expires.', example: 300 }],
  ],
};

export const oauth2_tokens: EntitySchema = {
  name: 'oauth2_tokens',
  adminPath: '/oauth2_tokens',
  plugin: 'oauth2',
  primaryKey: ['id'],
  endpointKey: 'access_token',
  cacheKey: ['access_token'],
  ttl: true,
  runtimeData: true,
  description: 'An OAuth 2.0 access token (and its refresh token) issued by the oauth2 plugin.',
  fields: [
    ['id', t.uuid],
    ['created_at', created],
    ['service', service],
    ['credential', credential],
    ['token_type', { type: 'string', required: true, one_of: ['bearer'], default: 'bearer', description: 'Always bearer.', example: 'bearer' }],
    ['expires_in', { type: 'integer', required: true, description: 'Lifetime in seconds at issue (0: never expires).', example: 7200 }],
    ['access_token', { type: 'string', unique: true, auto: true, description: 'The token; generated when not given.', example: 'FG4O8Uf2hLUoPOcdwpLPpVxMK3GrZAPN' }],
    ['refresh_token', { type: 'string', unique: true, description: 'Refresh token, when the grant gives one.', example: 'kuSDnUx2vHTd6FeQG5NHNGOFAHDMVfHo' }],
    ['authenticated_userid', { type: 'string', description: 'End user the token acts for.', example: 'user-42' }],
    ['scope', { type: 'string', description: 'Space-separated granted scopes.', example: 'email profile' }],
    ['ttl', { type: 'integer', between: [0, 100000000], description: 'Seconds until the row expires (the refresh token lifetime).', example: 1209600 }],
  ],
};
