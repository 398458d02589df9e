// Kong 3.10's kong.conf keys that are not Tollgate keys of the same name (Kong's kong.conf.default and
// kong/templates/kong_defaults.lua). Every one is either mapped onto the Tollgate key that does the same job, or
// accepted and listed in one start-up warning with the reason it has no effect here, so an operator's existing
// kong.conf starts as it is. A name in neither this table, a Kong directive namespace nor keys.ts stays an error
// (with did-you-mean). The spec beside this file checks the table against test/fixtures/kong-3.10-defaults.tsv.
import type { KeyName } from './keys';
import { parseSize } from './values';

/** Kong's value text -> the Tollgate key's value text, or an Error naming what is wrong with it. */
export type Convert = (text: string) => string | Error;

export type KongKey =
  | { readonly mapsTo: KeyName; readonly convert?: Convert }
  | { readonly ignored: string };

const NO_NGINX = 'Tollgate runs no nginx';
const NO_LUA = 'Lua runs only in the sandboxed VM of pre-/post-function and templates: no OpenResty modules, sockets or package paths';
const NO_GUI = 'Tollgate serves no Kong Manager: point a Kong Manager build at the Admin API instead';
const NO_RO = 'Tollgate has no read-only PostgreSQL replica connection; every query goes to pg_host';
const NO_CACHE = 'Tollgate keeps no per-entity cache: the proxy holds the whole configuration in memory';
const DNS_CACHE_HOLDS_ALL = 'the DNS cache holds every name in the configuration';
const DNS_RETRY = 'failed lookups are retried on the next request';
const NO_WASM = 'Tollgate runs no WebAssembly filters';
const NO_TLS_TUNING = "TLS listeners use Node's OpenSSL defaults (intermediate-like cipher suite, session tickets and cache)";
const NO_DEBUG = "Kong's request debugging and debug listener are not supported";
const NO_RPC = "Kong's incremental-sync RPC protocol: data planes pull full snapshots over cluster_listen";
const NO_ADMIN_GUI_LOG = NO_GUI;
const VAULT_SETTINGS = 'vault settings are not read from kong.conf: configure a vault as a vaults entity';
const NO_STATUS_LOG = 'the status listener keeps no log files of its own; its errors go to proxy_error_log';

/** `4 8k` (nginx large_client_header_buffers: count and size) -> the bytes of the whole header block. */
const headerBuffers: Convert = (text) => {
  const [count, size] = text.trim().split(/\s+/);
  const bytes = size === undefined ? undefined : parseSize(size);
  if (!/^\d+$/.test(count ?? '') || !bytes?.ok) return new Error(`expected '<count> <size>', e.g. '4 8k', got '${text}'`);
  return String(Number(count) * bytes.value);
};

export const KONG_KEYS: Readonly<Record<string, KongKey>> = {
  // mapped onto the Tollgate key that does the same job
  nginx_worker_processes: { mapsTo: 'worker_processes' },
  nginx_main_worker_processes: { mapsTo: 'worker_processes' },
  nginx_http_client_max_body_size: { mapsTo: 'client_max_body_size' },
  nginx_admin_client_max_body_size: { mapsTo: 'admin_max_body_size' },
  nginx_http_large_client_header_buffers: { mapsTo: 'client_max_header_size', convert: headerBuffers },
  nginx_proxy_real_ip_header: { mapsTo: 'real_ip_header' },
  nginx_proxy_real_ip_recursive: { mapsTo: 'real_ip_recursive' },
  lua_max_req_headers: { mapsTo: 'client_max_headers' },

  // general
  anonymous_reports: { ignored: 'Tollgate sends no usage reports' },
  vaults: { ignored: 'vault implementations are not selectable: the bundled env vault and vaults entities are always available' },
  vault_env_prefix: { ignored: VAULT_SETTINGS },
  port_maps: { ignored: 'only used by Kong to report listener ports behind a port mapping' },
  host_ports: { ignored: 'only used by Kong to report listener ports behind a port mapping' },
  proxy_server: { ignored: 'Tollgate does not send its own outbound traffic (cluster, plugins) through a forward proxy' },
  proxy_server_ssl_verify: { ignored: 'Tollgate does not use a forward proxy (see proxy_server)' },
  error_template_html: { ignored: 'gateway errors use the built-in Kong bodies' },
  error_template_json: { ignored: 'gateway errors use the built-in Kong bodies' },
  error_template_xml: { ignored: 'gateway errors use the built-in Kong bodies' },
  error_template_plain: { ignored: 'gateway errors use the built-in Kong bodies' },
  proxy_stream_access_log: { ignored: 'stream sessions are logged to proxy_access_log' },
  proxy_stream_error_log: { ignored: 'stream errors are logged to proxy_error_log' },
  admin_gui_access_log: { ignored: NO_ADMIN_GUI_LOG },
  admin_gui_error_log: { ignored: NO_ADMIN_GUI_LOG },
  status_access_log: { ignored: NO_STATUS_LOG },
  status_error_log: { ignored: NO_STATUS_LOG },
  request_debug: { ignored: NO_DEBUG },
  request_debug_token: { ignored: NO_DEBUG },
  debug_ssl_cert: { ignored: NO_DEBUG },
  debug_ssl_cert_key: { ignored: NO_DEBUG },
  kic: { ignored: 'Kong Ingress Controller mode is not supported' },
  pluginserver_names: { ignored: 'Tollgate runs no external plugin servers; plugins are bundled TypeScript' },
  openresty_path: { ignored: NO_NGINX },
  dedicated_config_processing: { ignored: 'configuration is always compiled off the request path' },
  worker_consistency: { ignored: 'workers always swap in a new configuration as soon as it is compiled' },
  worker_state_update_frequency: { ignored: 'workers always swap in a new configuration as soon as it is compiled' },
  worker_events_max_payload: { ignored: 'workers receive configuration over IPC without a payload limit' },
  lmdb_environment_path: { ignored: 'DB-less configuration is kept in memory and cached in prefix, not in LMDB' },
  lmdb_map_size: { ignored: 'DB-less configuration is kept in memory and cached in prefix, not in LMDB' },

  // admin gui (Kong Manager)
  admin_gui_listen: { ignored: NO_GUI },
  admin_gui_path: { ignored: NO_GUI },
  admin_gui_api_url: { ignored: NO_GUI },
  admin_gui_csp_header: { ignored: NO_GUI },
  admin_gui_ssl_cert: { ignored: NO_GUI },
  admin_gui_ssl_cert_key: { ignored: NO_GUI },

  // hybrid
  cluster_ocsp: { ignored: 'data plane certificates are not checked with OCSP' },
  cluster_use_proxy: { ignored: 'data planes connect to cluster_control_plane directly (no forward proxy)' },
  cluster_rpc: { ignored: NO_RPC },
  cluster_rpc_sync: { ignored: NO_RPC },
  cluster_cjson: { ignored: 'the cluster payload is always JSON' },
  declarative_config_string: { ignored: 'give the declarative configuration as a file (declarative_config)' },

  // tls
  client_ssl: { ignored: 'upstream client certificates are set per service (client_certificate)' },
  client_ssl_cert: { ignored: 'upstream client certificates are set per service (client_certificate)' },
  client_ssl_cert_key: { ignored: 'upstream client certificates are set per service (client_certificate)' },
  ssl_cipher_suite: { ignored: NO_TLS_TUNING },
  ssl_ciphers: { ignored: NO_TLS_TUNING },
  ssl_prefer_server_ciphers: { ignored: NO_TLS_TUNING },
  ssl_dhparam: { ignored: NO_TLS_TUNING },
  ssl_session_tickets: { ignored: NO_TLS_TUNING },
  ssl_session_timeout: { ignored: NO_TLS_TUNING },
  ssl_session_cache_size: { ignored: NO_TLS_TUNING },
  lua_ssl_verify_depth: { ignored: 'the upstream verification depth is set per service (tls_verify_depth)' },
  lua_ssl_protocols: { ignored: "outgoing TLS uses Node's default protocols (TLSv1.2 and TLSv1.3)" },

  // datastore
  pg_max_concurrent_queries: { ignored: 'the PostgreSQL pool size (pg_pool_size) bounds concurrent queries' },
  pg_semaphore_timeout: { ignored: 'the PostgreSQL pool size (pg_pool_size) bounds concurrent queries' },
  pg_keepalive_timeout: { ignored: 'idle PostgreSQL connections are managed by the driver pool' },
  pg_backlog: { ignored: 'the PostgreSQL driver pool queues waiting queries without a limit' },
  _debug_pg_ttl_cleanup_interval: { ignored: 'Kong internal test setting' },
  pg_ro_host: { ignored: NO_RO },
  pg_ro_port: { ignored: NO_RO },
  pg_ro_database: { ignored: NO_RO },
  pg_ro_schema: { ignored: NO_RO },
  pg_ro_timeout: { ignored: NO_RO },
  pg_ro_user: { ignored: NO_RO },
  pg_ro_password: { ignored: NO_RO },
  pg_ro_ssl: { ignored: NO_RO },
  pg_ro_ssl_verify: { ignored: NO_RO },
  pg_ro_max_concurrent_queries: { ignored: NO_RO },
  pg_ro_semaphore_timeout: { ignored: NO_RO },
  pg_ro_keepalive_timeout: { ignored: NO_RO },
  pg_ro_pool_size: { ignored: NO_RO },
  pg_ro_backlog: { ignored: NO_RO },
  db_update_frequency: { ignored: 'changes reach the proxy as soon as they are committed (no polling)' },
  db_update_propagation: { ignored: 'changes reach the proxy as soon as they are committed (no polling)' },
  db_cache_ttl: { ignored: NO_CACHE },
  db_cache_neg_ttl: { ignored: NO_CACHE },
  db_resurrect_ttl: { ignored: NO_CACHE },
  db_cache_warmup_entities: { ignored: NO_CACHE },

  // dns
  dns_valid_ttl: { ignored: 'the TTL of each DNS answer is used' },
  dns_cache_size: { ignored: DNS_CACHE_HOLDS_ALL },
  dns_not_found_ttl: { ignored: DNS_RETRY },
  dns_error_ttl: { ignored: DNS_RETRY },
  dns_no_sync: { ignored: 'concurrent lookups of one name are always merged' },
  resolver_valid_ttl: { ignored: 'the TTL of each DNS answer is used' },
  resolver_lru_cache_size: { ignored: DNS_CACHE_HOLDS_ALL },
  resolver_mem_cache_size: { ignored: DNS_CACHE_HOLDS_ALL },
  resolver_error_ttl: { ignored: DNS_RETRY },

  // lua
  lua_socket_pool_size: { ignored: NO_LUA },
  lua_package_path: { ignored: NO_LUA },
  lua_package_cpath: { ignored: NO_LUA },
  lua_max_resp_headers: { ignored: 'every upstream response header is passed on' },
  lua_max_uri_args: { ignored: 'every query argument is read' },
  lua_max_post_args: { ignored: 'every form argument is read' },
  untrusted_lua_sandbox_environment: { ignored: 'the sandbox exposes a fixed set of globals (untrusted_lua_sandbox_requires adds modules)' },

  // tracing and wasm
  wasm: { ignored: NO_WASM },
  wasm_filters: { ignored: NO_WASM },
  wasm_filters_path: { ignored: NO_WASM },
  wasm_dynamic_module: { ignored: NO_WASM },

  // nginx settings that Kong names outside its directive namespaces, and body buffering
  nginx_user: { ignored: `${NO_NGINX}; run tollgate as the user it should run as` },
  nginx_daemon: { ignored: `${NO_NGINX}; tollgate start runs in the foreground (use a service manager)` },
};

/**
 * Kong's injected-directive namespaces (nginx_http_*, nginx_proxy_*, ...), plus the plugin-server and vault
 * namespaces: any key under them is accepted, as Kong accepts it, and listed in the warning. Rows of KONG_KEYS and
 * Tollgate keys (their aliases included) are looked up first, so a directive Tollgate honours never lands here.
 */
export const KONG_NAMESPACES: readonly { readonly prefix: string; readonly reason: string }[] = [
  ...['main', 'events', 'http', 'upstream', 'proxy', 'location', 'status', 'admin', 'stream', 'supstream', 'sproxy', 'wasm']
    .map((ns) => ({ prefix: `nginx_${ns}_`, reason: `injected nginx directive: ${NO_NGINX}` })),
  { prefix: 'pluginserver_', reason: 'Tollgate runs no external plugin servers' },
  { prefix: 'vault_', reason: VAULT_SETTINGS },
];

export type KongKeyVerdict =
  | { readonly kind: 'alias'; readonly mapsTo: KeyName; readonly convert?: Convert }
  | { readonly kind: 'ignored'; readonly reason: string };

/** What Tollgate does with a key that is not one of its own; undefined for a key Kong does not know either. */
export function kongKeyVerdict(key: string): KongKeyVerdict | undefined {
  const row = Object.hasOwn(KONG_KEYS, key) ? KONG_KEYS[key] : undefined;
  if (row && 'mapsTo' in row) return { kind: 'alias', mapsTo: row.mapsTo, convert: row.convert };
  if (row) return { kind: 'ignored', reason: row.ignored };
  const namespace = KONG_NAMESPACES.find(({ prefix }) => key.startsWith(prefix) && key.length > prefix.length);
  return namespace && { kind: 'ignored', reason: namespace.reason };
}
