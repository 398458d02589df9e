// THE table of tollgate.conf keys: one row per key drives parsing, validation, `tollgate config init`
// (renderDefaultConf) and docs/configuration.md (renderConfigReference). Add a key here and nowhere else.
// Defaults are Kong's (kong_defaults.lua) wherever Kong has the key; Tollgate-only keys say so.
import type { ListenerKind, Settings } from './types';
import * as refine from './value-checks';
import type { Refiner } from './value-checks';

export type KeyType = 'string' | 'number' | 'boolean' | 'enum' | 'array' | 'listen' | 'size' | 'duration';

export type Section = 'general' | 'listeners' | 'database' | 'tls' | 'client_ip' | 'admin' | 'proxy' | 'hybrid' | 'misc';

export const SECTION_TITLES: Readonly<Record<Section, string>> = {
  general: 'General',
  listeners: 'Listeners',
  database: 'Datastore',
  tls: 'TLS',
  client_ip: 'Client IP and headers',
  admin: 'Admin API protection',
  proxy: 'Proxy limits',
  hybrid: 'Declarative and hybrid mode',
  misc: 'Miscellaneous',
};

export interface KeyDef {
  readonly name: KeyName;
  readonly type: KeyType;
  /** Default exactly as it would be written in tollgate.conf; null = unset (Kong's NONE). */
  readonly default: string | null;
  readonly description: string;
  readonly section: Section;
  /** enum: the allowed values; array: the allowed items. */
  readonly values?: readonly string[];
  /** listen: which flag set applies; the parsed entries go to `<kind>_listeners`. */
  readonly listenKind?: ListenerKind;
  readonly integer?: boolean;
  readonly min?: number;
  readonly max?: number;
  /** Relative file paths are made absolute against this directory. */
  readonly resolve?: 'prefix' | 'cwd';
  /** `off` means "disabled" and yields null (log files). */
  readonly offIsNull?: boolean;
  /** Arrays only; default comma. */
  readonly separator?: 'comma' | 'whitespace';
  /** Extra single-key validation / normalization after typing. */
  readonly refine?: Refiner;
}

const http = (kind: ListenerKind) => ({ type: 'listen' as const, listenKind: kind, section: 'listeners' as const });
const logPath = (def: string, description: string): Omit<KeyDef, 'name'> =>
  ({ type: 'string', default: def, description, section: 'general', resolve: 'prefix', offIsNull: true });
const certs = (description: string): Omit<KeyDef, 'name'> =>
  ({ type: 'array', default: null, description, section: 'tls', resolve: 'prefix' });
const port = { type: 'number' as const, integer: true, min: 1, max: 65535 };

/** Settings members that are derived rather than written in tollgate.conf. */
export type DerivedSetting = 'sources' | `${ListenerKind}_listeners`;
export type KeyName = Exclude<keyof Settings, DerivedSetting>;

// Typed by KeyName so the compiler fails when a Settings member has no row, or a row no member.
const ROWS: Record<KeyName, Omit<KeyDef, 'name'>> = {
  // general
  prefix: { type: 'string', default: './data', section: 'general', resolve: 'cwd',
    description: 'Working directory: pid file, logs, generated certificates, SQLite file and config cache. Relative to the current directory.' },
  role: { type: 'enum', default: 'traditional', values: ['traditional', 'control_plane', 'data_plane'], section: 'general',
    description: 'traditional runs a control plane and a data plane in one process tree; control_plane and data_plane split them (hybrid mode).' },
  log_level: { type: 'enum', default: 'notice', values: ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'], section: 'general',
    description: 'Lowest severity written to the logs.' },
  proxy_access_log: logPath('logs/access.log', 'Proxy access log file (relative to prefix), or off.'),
  proxy_error_log: logPath('logs/error.log', 'Proxy error log file (relative to prefix), or off.'),
  admin_access_log: logPath('logs/admin_access.log', 'Admin API access log file (relative to prefix), or off.'),
  admin_error_log: logPath('logs/error.log', 'Admin API error log file (relative to prefix), or off.'),
  worker_processes: { type: 'string', default: 'auto', section: 'general', refine: refine.workerCount,
    description: 'Number of proxy worker processes; auto = one per CPU core.' },
  plugins: { type: 'array', default: 'bundled', section: 'general',
    description: 'Plugins this node loads: bundled (all bundled plugins), a list of names (bundled,my-plugin), or off.' },
  node_id: { type: 'string', default: null, section: 'general', refine: refine.uuid,
    description: 'Fixed node id (a UUID); unset = generated once and kept in prefix.' },

  // listeners
  proxy_listen: { ...http('proxy'), default: '0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384',
    description: 'Proxy listeners for client traffic: comma-separated <ip>:<port> [flags] entries, or off.' },
  admin_listen: { ...http('admin'), default: '127.0.0.1:8001 reuseport backlog=16384, 127.0.0.1:8444 http2 ssl reuseport backlog=16384',
    description: 'Admin API listeners (loopback only by default; protect any other address), or off.' },
  stream_listen: { ...http('stream'), default: 'off',
    description: 'TCP/TLS stream proxy listeners, e.g. 0.0.0.0:4242 or 0.0.0.0:5555 ssl; off by default.' },
  status_listen: { ...http('status'), default: '127.0.0.1:8007',
    description: 'Status API listeners (health, readiness, metrics), or off.' },
  cluster_listen: { ...http('cluster'), default: '0.0.0.0:8005',
    description: 'Control plane listener data planes connect to (mutual TLS); used only when role = control_plane.' },

  // database
  database: { type: 'enum', default: 'sqlite', values: ['sqlite', 'postgres', 'off'], section: 'database',
    description: 'Where the control plane stores entities: sqlite (file in prefix), postgres, or off (DB-less, declarative_config).' },
  sqlite_file: { type: 'string', default: 'tollgate.db', section: 'database', resolve: 'prefix',
    description: 'SQLite database file (relative to prefix) when database = sqlite. Tollgate key.' },
  pg_host: { type: 'string', default: '127.0.0.1', section: 'database', description: 'PostgreSQL host.' },
  pg_port: { ...port, default: '5432', section: 'database', description: 'PostgreSQL port.' },
  pg_user: { type: 'string', default: 'kong', section: 'database', description: 'PostgreSQL user.' },
  pg_password: { type: 'string', default: null, section: 'database', description: 'PostgreSQL password.' },
  pg_database: { type: 'string', default: 'kong', section: 'database', description: 'PostgreSQL database name.' },
  pg_schema: { type: 'string', default: null, section: 'database', description: 'PostgreSQL schema; unset = the server default search_path.' },
  pg_timeout: { type: 'number', integer: true, min: 0, default: '5000', section: 'database', description: 'PostgreSQL connect and query timeout in ms.' },
  pg_ssl: { type: 'boolean', default: 'off', section: 'database', description: 'Use TLS to PostgreSQL.' },
  pg_ssl_verify: { type: 'boolean', default: 'off', section: 'database', description: 'Verify the PostgreSQL server certificate (needs pg_ssl).' },
  pg_pool_size: { type: 'number', integer: true, min: 1, default: null, section: 'database', description: 'PostgreSQL connection pool size; unset = driver default.' },

  // tls
  ssl_cert: certs('Proxy TLS certificate(s): path (relative to prefix), inline PEM or base64 PEM; unset = a self-signed one generated into prefix.'),
  ssl_cert_key: certs('Private key(s) for ssl_cert, in the same order.'),
  admin_ssl_cert: certs('Admin API TLS certificate(s); unset = generated self-signed.'),
  admin_ssl_cert_key: certs('Private key(s) for admin_ssl_cert.'),
  status_ssl_cert: certs('Status API TLS certificate(s); unset = generated self-signed.'),
  status_ssl_cert_key: certs('Private key(s) for status_ssl_cert.'),
  ssl_protocols: { type: 'array', separator: 'whitespace', default: 'TLSv1.2 TLSv1.3', section: 'tls',
    values: ['TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3'], description: 'TLS versions accepted by TLS listeners (space-separated).' },

  // client ip and headers
  trusted_ips: { type: 'array', default: null, section: 'client_ip', refine: refine.trustedIps,
    description: 'IPs/CIDRs (or unix:) of trusted proxies whose X-Forwarded-* and real_ip_header are believed; 0.0.0.0/0,::/0 trusts all.' },
  real_ip_header: { type: 'string', default: 'X-Real-IP', section: 'client_ip',
    description: 'Header carrying the client address from trusted_ips, or proxy_protocol (needs a proxy_listen entry with proxy_protocol).' },
  real_ip_recursive: { type: 'boolean', default: 'off', section: 'client_ip',
    description: 'Take the last untrusted address of real_ip_header instead of the last one.' },
  headers: { type: 'array', default: 'server_tokens, latency_tokens, X-Kong-Request-Id', section: 'client_ip', refine: refine.headers,
    description: 'Headers added to responses: Server, Via, X-Kong-*-Latency, X-Kong-Upstream-Status, X-Kong-Request-Id, server_tokens, latency_tokens, or off.' },
  headers_upstream: { type: 'array', default: 'X-Kong-Request-Id', section: 'client_ip', refine: refine.headersUpstream,
    description: 'Headers added to upstream requests: X-Kong-Request-Id, or off.' },
  error_default_type: { type: 'enum', default: 'text/plain', values: ['application/json', 'application/xml', 'text/html', 'text/plain'], section: 'client_ip',
    description: 'Body type of gateway-generated errors when the request Accept header does not choose one.' },

  // admin api protection (Tollgate keys)
  admin_access_allow: { type: 'array', default: null, section: 'admin', refine: refine.cidrList,
    description: 'IPs/CIDRs allowed to reach the Admin API; `tollgate firewall` opens non-loopback admin listeners only to these. Tollgate key.' },
  admin_api_key: { type: 'string', default: null, section: 'admin',
    description: 'Shared secret Admin API clients must present when set. Tollgate key.' },
  admin_ssl_client_ca: { type: 'string', default: null, section: 'admin', resolve: 'prefix',
    description: 'CA bundle (path) for Admin API client certificates; when set, TLS admin listeners require a client certificate. Tollgate key.' },
  admin_allow_insecure: { type: 'boolean', default: 'off', section: 'admin',
    description: 'Accept an admin_listen on a non-loopback address without protection (allow-list, key or client CA). Tollgate key.' },
  admin_max_body_size: { type: 'size', default: '10m', section: 'admin',
    description: 'Largest Admin API request body (Kong: nginx_admin_client_max_body_size).' },

  // proxy limits (Tollgate keys with nginx defaults)
  client_max_body_size: { type: 'size', default: '0', section: 'proxy',
    description: 'Largest proxied request body; 0 = unlimited (Kong: nginx_http_client_max_body_size).' },
  client_header_timeout: { type: 'duration', default: '60s', section: 'proxy',
    description: 'Time allowed to receive the request headers (nginx client_header_timeout); a bare number is seconds.' },
  client_max_header_size: { type: 'size', default: '32k', section: 'proxy',
    description: 'Largest request header block (nginx large_client_header_buffers 4 8k).' },
  client_max_headers: { type: 'number', integer: true, min: 1, max: 1000, default: '100', section: 'proxy',
    description: 'Request headers read by the router and plugins (Kong: lua_max_req_headers).' },
  upstream_keepalive_pool_size: { type: 'number', integer: true, min: 0, default: '512', section: 'proxy',
    description: 'Idle upstream connections kept per upstream; 0 disables keepalive.' },
  upstream_keepalive_max_requests: { type: 'number', integer: true, min: 0, default: '10000', section: 'proxy',
    description: 'Requests sent over one upstream connection before it is closed; 0 = unlimited.' },
  upstream_keepalive_idle_timeout: { type: 'number', integer: true, min: 0, default: '60', section: 'proxy',
    description: 'Seconds an idle upstream connection is kept; 0 = no timeout.' },

  // declarative and hybrid
  declarative_config: { type: 'string', default: null, section: 'hybrid', resolve: 'cwd',
    description: 'Declarative configuration file (YAML or JSON) loaded at start when database = off.' },
  cluster_control_plane: { type: 'string', default: '127.0.0.1:8005', section: 'hybrid', refine: refine.hostPort,
    description: 'host:port of the control plane a data plane connects to.' },
  cluster_mtls: { type: 'enum', default: 'shared', values: ['shared', 'pki'], section: 'hybrid',
    description: 'shared = control and data planes use the same cluster_cert; pki = certificates signed by cluster_ca_cert.' },
  cluster_cert: { type: 'string', default: null, section: 'hybrid', resolve: 'prefix', description: 'Cluster mTLS certificate (path, relative to prefix).' },
  cluster_cert_key: { type: 'string', default: null, section: 'hybrid', resolve: 'prefix', description: 'Private key for cluster_cert.' },
  cluster_ca_cert: { type: 'string', default: null, section: 'hybrid', resolve: 'prefix', description: 'CA that signs cluster certificates when cluster_mtls = pki.' },
  cluster_server_name: { type: 'string', default: null, section: 'hybrid', description: 'SNI / name a data plane expects in the control plane certificate (pki).' },
  cluster_dp_labels: { type: 'array', default: null, section: 'hybrid', refine: refine.labels,
    description: 'Data plane labels reported to the control plane: comma-separated key:value pairs.' },
  cluster_data_plane_purge_delay: { type: 'number', integer: true, min: 60, default: '1209600', section: 'hybrid',
    description: 'Seconds before a silent data plane is removed from /clustering/data-planes.' },
  cluster_max_payload: { type: 'number', integer: true, min: 4194304, default: '16777216', section: 'hybrid',
    description: 'Largest configuration payload in bytes exchanged between control and data planes.' },

  // misc
  router_flavor: { type: 'enum', default: 'traditional_compatible', values: ['traditional_compatible', 'traditional'], section: 'misc',
    description: 'Route priority rules: traditional_compatible (Kong 3.x default) or traditional.' },
  redis_host: { type: 'string', default: '127.0.0.1', section: 'misc', description: 'Default Redis host offered to plugins with a redis policy. Tollgate key.' },
  redis_port: { ...port, default: '6379', section: 'misc', description: 'Default Redis port offered to plugins with a redis policy. Tollgate key.' },
};

export const KEYS: readonly KeyDef[] = Object.freeze(
  Object.entries(ROWS).map(([name, row]) => Object.freeze({ name: name as KeyName, ...row })),
);

export const KEYS_BY_NAME: ReadonlyMap<string, KeyDef> = new Map(KEYS.map((def) => [def.name, def]));
