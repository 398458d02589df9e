// acme: Kong's schema (kong/plugins/acme/schema.lua). A global-only plugin (no consumer, service or route).
import type { FieldDef, FieldList } from '@tollgate/schema';
import { typedefs, withShorthandFields } from '@tollgate/schema';
import { requiredWhen, withConfigChecks, type ConfigCheck } from '../../validate-config';
import { url } from '../common';
import { redisFields } from '../rate-limiting/schema';

export const STORAGE_TYPES = ['kong', 'shm', 'redis', 'consul', 'vault'] as const;
/** The storages Tollgate implements; consul and vault are accepted names that a config check refuses. */
export const SUPPORTED_STORAGES: readonly string[] = ['kong', 'shm', 'redis'];

/** Kong refuses a namespace starting with one of its own key prefixes (reserved_words.lua). */
export const RESERVED_PREFIXES = ['kong_acme:renew_config:', 'kong_acme:renew_last_run', 'kong_acme:cert_key:'];

const namespace = (value: unknown): string | undefined => {
  if (typeof value !== 'string' || value === '') return undefined;
  const hit = RESERVED_PREFIXES.find((p) => value.startsWith(p));
  return hit ? `namespace can't be prefixed with reserved word: ${hit}` : undefined;
};

const redisStorage: FieldList = withShorthandFields([
  ...redisFields,
  ['extra_options', {
    type: 'record', description: 'Custom ACME Redis options',
    fields: [
      ['namespace', { type: 'string', required: true, default: '', len_min: 0, custom: namespace, description: 'A namespace to prepend to all keys stored in Redis.' }],
      ['scan_count', { type: 'number', default: 10, description: 'The number of keys to return in Redis SCAN calls.' }],
    ],
  }],
], [
  // Kong's deprecated names, moved to their 3.x places (LEGACY_SCHEMA_TRANSLATIONS)
  { name: 'auth', field: { type: 'string', len_min: 0 }, path: ['password'] },
  { name: 'ssl_server_name', field: { type: 'string' }, path: ['server_name'] },
  { name: 'namespace', field: { type: 'string', len_min: 0 }, path: ['extra_options', 'namespace'] },
  { name: 'scan_count', field: { type: 'integer' }, path: ['extra_options', 'scan_count'] },
]);

const remoteKv = (vault: boolean): FieldList => [
  ['https', { type: 'boolean', default: false, description: 'Boolean representation of https.' }],
  ['host', { ...typedefs.host }],
  ['port', { ...typedefs.port }],
  ['kv_path', { type: 'string', description: 'KV prefix path.' }],
  ['timeout', { type: 'number', description: 'Timeout in milliseconds.' }],
  ['token', { type: 'string', referenceable: true, description: 'Consul ACL token.' }],
  ...(vault ? ([
    ['tls_verify', { type: 'boolean', default: true, description: 'Turn on TLS verification.' }],
    ['tls_server_name', { type: 'string', description: 'SNI used in request, default to host if omitted.' }],
    ['auth_method', { type: 'string', default: 'token', one_of: ['token', 'kubernetes'], description: "Auth Method, default to token, can be 'token' or 'kubernetes'." }],
    ['auth_path', { type: 'string', description: "Vault's authentication path to use." }],
    ['auth_role', { type: 'string', description: 'The role to try and assign.' }],
    ['jwt_path', { type: 'string', description: 'The path to the JWT.' }],
  ] as FieldList) : []),
];

const record = (fields: FieldList, description?: string): FieldDef => ({ type: 'record', fields, ...(description ? { description } : {}) });

const fields: FieldList = [
  ['account_email', {
    type: 'string', required: true, referenceable: true, match: /[\p{L}\p{N}]*[\p{P}\p{S}]*@+[\p{L}\p{N}]*\.?[\p{L}\p{N}]*/u,
    description: 'The account identifier. Can be reused in a different plugin instance.',
  }],
  ['account_key', { nullable: true, ...record([
    ['key_id', { type: 'string', required: true, description: 'The Key ID.' }],
    ['key_set', { type: 'string', description: 'The ID of the key set to associate the Key ID with.' }],
  ], 'The private key associated with the account.') }],
  ['api_uri', { type: 'string', custom: url, default: 'https://acme-v02.api.letsencrypt.org/directory' }],
  ['tos_accepted', { type: 'boolean', default: false, description: 'If you are using Let\'s Encrypt, you must set this to `true` to agree the terms of service.' }],
  ['eab_kid', { type: 'string', referenceable: true, description: "External account binding (EAB) key id. You usually don't need to set this unless it is explicitly required by the CA." }],
  ['eab_hmac_key', { type: 'string', referenceable: true, description: "External account binding (EAB) base64-encoded URL string of the HMAC key. You usually don't need to set this unless it is explicitly required by the CA." }],
  ['cert_type', { type: 'string', default: 'rsa', one_of: ['rsa', 'ecc'], description: 'The certificate type to create. The possible values are `rsa` for RSA certificate or `ecc` for EC certificate.' }],
  ['rsa_key_size', { type: 'number', default: 4096, one_of: [2048, 3072, 4096], description: 'RSA private key size for the certificate. The possible values are 2048, 3072, or 4096.' }],
  ['renew_threshold_days', { type: 'number', default: 14, description: 'Days remaining to renew the certificate before it expires.' }],
  ['domains', { type: 'array', elements: { ...typedefs.routeHost } }],
  ['allow_any_domain', { type: 'boolean', default: false, description: 'If set to `true`, the plugin allows all domains and ignores any values in the `domains` list.' }],
  ['fail_backoff_minutes', { type: 'number', default: 5, description: 'Minutes to wait for each domain that fails to create a certificate. This applies to both a\nnew certificate and a renewal certificate.' }],
  ['storage', {
    type: 'string', default: 'shm', one_of: [...STORAGE_TYPES],
    description: 'The backend storage type to use. Tollgate implements `kong` (the database), `shm` (node-local memory) and `redis`; `consul` and `vault` are refused.',
  }],
  ['storage_config', record([
    ['shm', record([['shm_name', { type: 'string', default: 'kong', description: 'Name of shared memory zone used for Kong API gateway storage' }]])],
    ['kong', record([])],
    ['redis', record(redisStorage)],
    ['consul', record(remoteKv(false))],
    ['vault', record(remoteKv(true))],
  ])],
  ['preferred_chain', { type: 'string', description: 'A string value that specifies the preferred certificate chain to use when generating certificates.' }],
  ['enable_ipv4_common_name', { type: 'boolean', default: true, description: 'A boolean value that controls whether to include the IPv4 address in the common name field of generated certificates.' }],
];

const LETS_ENCRYPT = ['https://acme-v02.api.letsencrypt.org', 'https://acme-staging-v02.api.letsencrypt.org'];

/** Kong's conditional on api_uri: Let's Encrypt requires accepting its terms of service. */
const tosAccepted: ConfigCheck = (c) =>
  LETS_ENCRYPT.includes(String(c.api_uri)) && c.tos_accepted !== true
    ? [{ path: 'config.tos_accepted', message: 'value must be true' }, { message: 'terms of service must be accepted, see https://letsencrypt.org/repository/' }]
    : [];

/** Not part of Kong's schema: the storages Tollgate does not implement are named and refused here. */
const implementedStorage: ConfigCheck = (c) =>
  SUPPORTED_STORAGES.includes(String(c.storage))
    ? []
    : [{ path: 'config.storage', message: `storage "${String(c.storage)}" is not supported by Tollgate; use one of: ${SUPPORTED_STORAGES.join(', ')}` }];

/** The node's mode, for Kong's check of storage against it (set by configureAcme where configs are validated). */
let node: { database?: string; role?: string } = {};

/** Called with the node's settings by the control plane before it validates any plugin config. */
export function configureAcme(settings: { readonly database?: string; readonly role?: string }): void {
  node = { database: settings.database, role: settings.role };
}

/** Kong's custom_entity_check on config.storage: what the node's mode cannot hold. */
const storageForMode: ConfigCheck = (c) => {
  if (node.database === 'off' && node.role !== 'data_plane' && c.storage === 'kong') return [{ message: '"kong" storage can\'t be used with dbless mode' }];
  if (node.role === 'control_plane' && c.storage === 'shm') return [{ message: '"shm" storage can\'t be used in Hybrid mode' }];
  return [];
};

export const schema = withConfigChecks(fields, [
  tosAccepted,
  storageForMode,
  requiredWhen('storage', 'redis', 'storage_config.redis.host'),
  requiredWhen('storage', 'redis', 'storage_config.redis.port'),
  implementedStorage,
]);

/** Kong: `consumer = typedefs.no_consumer`, `service = typedefs.no_service`, `route = typedefs.no_route`. */
export const globalOnly = true;
export const noConsumer = true;
