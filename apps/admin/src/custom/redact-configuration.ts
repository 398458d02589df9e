import type { Settings } from '@tollgate/config';

/** Keys whose values `GET /` replaces with `******` (Kong's list plus Tollgate's admin_api_key). */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'pg_password', 'pg_ro_password', 'proxy_server', 'declarative_config_string', 'cluster_cert_key', 'ssl_cert_key',
  'client_ssl_cert_key', 'admin_ssl_cert_key', 'admin_gui_ssl_cert_key', 'status_ssl_cert_key', 'debug_ssl_cert_key',
  'admin_api_key', 'redis_password',
]);

const REDACTED = '******';
/** Internal bookkeeping, not configuration. */
const OMITTED: ReadonlySet<string> = new Set(['sources']);

/** The settings as `GET /` reports them: snake_case everywhere, secrets masked. */
export function redactedConfiguration(settings: Settings): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(settings)) {
    if (OMITTED.has(key)) continue;
    if (SENSITIVE_KEYS.has(key) && isSet(value)) out[key] = REDACTED;
    else out[key] = key.endsWith('_listeners') && Array.isArray(value) ? value.map(snakeCaseKeys) : value;
  }
  // Kong lists where Kong Manager is served; a node serving no GUI lists nothing
  if (!('admin_gui_listeners' in out)) out.admin_gui_listeners = [];
  return out;
}

function isSet(value: unknown): boolean {
  return value !== null && value !== undefined && !(Array.isArray(value) && value.length === 0);
}

function snakeCaseKeys(entry: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(entry)) out[key.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)] = value;
  return out;
}
