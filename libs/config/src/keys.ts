// THE table of tollgate.conf keys: one row per key drives parsing, validation, `tollgate config init`
// (renderDefaultConf) and docs/configuration.md (renderConfigReference). Add a key here and nowhere else.
// Defaults are Kong's (kong_defaults.lua) wherever Kong has the key; Tollgate-only keys say so.
import type { ListenerKind, Role, Settings } from './types';
import * as refine from './value-checks';
import type { Refiner } from './value-checks';

export type KeyType = 'string' | 'number' | 'boolean' | 'enum' | 'array' | 'listen' | 'size' | 'duration';

export type Section = 'general' | 'listeners' | 'database' | 'tls' | 'client_ip' | 'admin' | 'proxy' | 'dns' | 'hybrid' | 'misc';

export const SECTION_TITLES: Readonly<Record<Section, string>> = {
  general: 'General',
  listeners: 'Listeners',
  database: 'Datastore',
  tls: 'TLS',
  client_ip: 'Client IP and headers',
  admin: 'Admin API protection',
  proxy: 'Proxy limits',
  dns: 'Upstream name resolution',
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
  /** Other names accepted for this key (Kong's injected-directive spelling, e.g. nginx_http_send_timeout). */
  readonly aliases?: readonly string[];
  /** A different default for some roles (what they would clash on when run on one host). */
  readonly roleDefaults?: Partial<Readonly<Record<Role, string>>>;
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
  proxy_access_log: logPath('logs/access.log', 'Proxy access log file (relative to prefix), /dev/stdout, /dev/stderr, or off.'),
  proxy_error_log: logPath('logs/error.log', 'Proxy error log file (relative to prefix), or off.'),
  admin_access_log: logPath('logs/admin_access.log', 'Admin API access log file (relative to prefix), /dev/stdout, /dev/stderr, or off; nginx combined format.'),
  admin_error_log: logPath('logs/error.log', 'Admin API (control plane) error log file (relative to prefix), or off.'),
  worker_processes: { type: 'string', default: 'auto', section: 'general', refine: refine.workerCount,
    description: 'Number of proxy worker processes; auto = one per CPU core.' },
  plugins: { type: 'array', default: 'bundled', section: 'general',
    description: 'Plugins this node loads: bundled (all bundled plugins), a list of names (bundled,my-plugin), or off.' },
  untrusted_lua: { type: 'enum', default: 'sandbox', values: ['on', 'off', 'sandbox'], section: 'general',
    description: 'Lua code from configuration (pre-function, post-function, request-transformer templates): off refuses it, sandbox runs it without io, os, load or require, on runs it unrestricted.' },
  untrusted_lua_sandbox_requires: { type: 'array', default: null, section: 'general',
    description: 'Modules that require() may load inside the sandbox (untrusted_lua = sandbox).' },
  syslog_socket: { type: 'string', default: '/dev/log', section: 'general', resolve: 'cwd',
    description: 'Unix datagram socket of the local syslog daemon, where the syslog plugin sends (libc uses /dev/log). Tollgate key.' },
  node_id: { type: 'string', default: null, section: 'general', refine: refine.uuid,
    description: 'Fixed node id (a UUID); unset = generated once and kept in prefix.' },
  // log formats (Tollgate keys; issue 15)
  log_format: { type: 'enum', default: 'auto', values: ['auto', 'text', 'json'], section: 'general',
    description: 'Console log format: auto = text (time, level, message, key=value fields) on a terminal and JSON lines otherwise; text; json. Log files are always JSON. Tollgate key.' },
  proxy_access_log_format: { type: 'enum', default: 'kong', values: ['kong', 'json'], section: 'general',
    description: "proxy_access_log line format: kong = Kong's nginx format (combined log format plus kong_request_id; TCP/TLS sessions in nginx's basic stream format), json = one JSON object per request. Tollgate key." },

  // listeners
  proxy_listen: { ...http('proxy'), default: '0.0.0.0:8000 reuseport backlog=16384, 0.0.0.0:8443 http2 ssl reuseport backlog=16384',
    description: 'Proxy listeners for client traffic: comma-separated <ip>:<port> [flags] entries, or off.' },
  admin_listen: { ...http('admin'), default: '127.0.0.1:8001 reuseport backlog=16384, 127.0.0.1:8444 http2 ssl reuseport backlog=16384',
    description: 'Admin API listeners (loopback only by default; protect any other address), or off.' },
  stream_listen: { ...http('stream'), default: 'off',
    description: 'TCP/TLS stream proxy listeners, e.g. 0.0.0.0:4242 or 0.0.0.0:5555 ssl; off by default.' },
  // Kong defaults both roles to 8007, so a data plane beside its control plane cannot start; 8100 is the status
  // port Kong's Helm chart gives data planes.
  status_listen: { ...http('status'), default: '127.0.0.1:8007', roleDefaults: { data_plane: '127.0.0.1:8100' },
    description: 'Status API listeners (health, readiness, metrics), or off. A data plane defaults to 127.0.0.1:8100, so it can run beside its control plane.' },
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
  pg_ssl_verify: { type: 'boolean', default: 'off', section: 'database', description: 'Verify the PostgreSQL server certificate (needs pg_ssl) against lua_ssl_trusted_certificate, as Kong does.' },
  pg_pool_size: { type: 'number', integer: true, min: 1, default: null, section: 'database', description: 'PostgreSQL connection pool size; unset = driver default.' },

  // tls
  ssl_cert: certs('Proxy TLS certificate(s): path (relative to prefix), inline PEM or base64 PEM; unset = a self-signed one generated into prefix.'),
  ssl_cert_key: certs('Private key(s) for ssl_cert, in the same order.'),
  admin_ssl_cert: certs('Admin API TLS certificate(s); unset = generated self-signed.'),
  admin_ssl_cert_key: certs('Private key(s) for admin_ssl_cert.'),
  status_ssl_cert: certs('Status API TLS certificate(s); unset = generated self-signed.'),
  status_ssl_cert_key: certs('Private key(s) for status_ssl_cert.'),
  // Kong's name kept (issue 15): the trust store of upstream TLS verification
  lua_ssl_trusted_certificate: { type: 'array', default: 'system', section: 'tls', refine: refine.trustedCertificates,
    description: "CA certificates that verify upstream TLS when a service has tls_verify on and no ca_certificates, the acme plugin's ACME server and PostgreSQL with pg_ssl_verify: PEM files (relative to the current directory) and/or system (Node's bundled root CAs)." },
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
  admin_gui_url: { type: 'array', default: null, section: 'admin', refine: refine.guiUrls,
    description: 'URLs (comma-separated) where Kong Manager builds for this node are served. As Kong 3.9+ does, the Admin API answers the request Origin in Access-Control-Allow-Origin when it is the origin (scheme://host:port) of one of them, else the first one\'s origin. Unset: the request Origin, or *.' },
  admin_max_body_size: { type: 'size', default: '10m', section: 'admin',
    description: 'Largest Admin API request body (Kong: nginx_admin_client_max_body_size).' },

  // proxy limits (Tollgate keys with nginx defaults)
  client_max_body_size: { type: 'size', default: '0', section: 'proxy',
    description: 'Largest proxied request body; 0 = unlimited (Kong: nginx_http_client_max_body_size).' },
  client_body_buffer_size: { type: 'size', default: '8m', section: 'proxy', aliases: ['nginx_http_client_body_buffer_size'],
    description: 'Largest request body a plugin may read into memory (request-transformer, key-auth key_in_body, Lua get_body, AI and serverless plugins...): a larger one is answered 413 and the connection closed; 0 = unlimited. Kong\'s key, with another default and outcome: Kong (default 8k) keeps a larger body in a temporary file, where its plugins get no body at all.' },
  client_header_timeout: { type: 'duration', default: '60s', section: 'proxy', aliases: ['nginx_http_client_header_timeout'],
    description: 'Time allowed to receive the request headers on every HTTP listener (nginx client_header_timeout; also read as nginx_http_client_header_timeout); a bare number is seconds.' },
  client_body_timeout: { type: 'duration', default: '60s', section: 'proxy', aliases: ['nginx_http_client_body_timeout'],
    description: 'Longest pause between two reads of a request body on every HTTP listener (nginx client_body_timeout; also read as nginx_http_client_body_timeout); the connection is then closed.' },
  send_timeout: { type: 'duration', default: '60s', section: 'proxy', aliases: ['nginx_http_send_timeout'],
    description: 'Longest pause between two writes to a client that does not read (nginx send_timeout; also read as nginx_http_send_timeout); the connection is then closed.' },
  mem_cache_size: { type: 'size', default: '128m', section: 'proxy',
    description: "Memory of the node-wide cache of proxy-cache's memory strategy, shared by the node's data-plane workers (Kong sizes its kong_db_cache shared dict with this key); the least recently used entries are evicted when it is full." },
  client_max_header_size: { type: 'size', default: '32k', section: 'proxy',
    description: 'Largest request header block (nginx large_client_header_buffers 4 8k).' },
  client_max_headers: { type: 'number', integer: true, min: 1, max: 1000, default: '100', section: 'proxy',
    description: 'Request headers the router and plugins read (Kong: lua_max_req_headers); a request with more is still proxied with all of them, and the router logs that it read only the first ones, as Kong.' },
  http2_max_concurrent_streams: { type: 'number', integer: true, min: 1, max: 4294967295, default: '128', section: 'proxy', aliases: ['nginx_http_http2_max_concurrent_streams'],
    description: 'Streams an HTTP/2 client may have open at once on one connection; more are refused with RST_STREAM (nginx http2_max_concurrent_streams, default 128; also read as nginx_http_http2_max_concurrent_streams).' },
  upstream_keepalive_pool_size: { type: 'number', integer: true, min: 0, default: '512', section: 'proxy',
    description: 'Idle upstream connections kept per upstream; 0 disables keepalive.' },
  upstream_keepalive_max_requests: { type: 'number', integer: true, min: 0, default: '10000', section: 'proxy',
    description: 'Requests sent over one upstream connection before it is closed; 0 = unlimited.' },
  upstream_keepalive_idle_timeout: { type: 'number', integer: true, min: 0, default: '60', section: 'proxy',
    description: 'Seconds an idle upstream connection is kept; 0 = no timeout.' },
  allow_debug_header: { type: 'boolean', default: 'off', section: 'proxy',
    description: 'A proxied request carrying Kong-Debug: 1 gets Kong-Route-Id, Kong-Route-Name, Kong-Service-Id and Kong-Service-Name response headers.' },

  // upstream name resolution (Kong's dns_* keys; issue 15)
  dns_resolver: { type: 'array', default: null, section: 'dns', refine: refine.nameservers,
    description: 'Name servers for the targets of upstream entities: comma-separated <ip>[:<port>]; unset = those of /etc/resolv.conf. A service host that names no upstream is resolved by the operating system.' },
  dns_hostsfile: { type: 'string', default: '/etc/hosts', section: 'dns', resolve: 'cwd',
    description: 'Hosts file whose entries answer before any DNS query for the targets of upstream entities.' },
  dns_order: { type: 'array', default: 'LAST,SRV,A,CNAME', section: 'dns', values: ['LAST', 'SRV', 'A', 'AAAA', 'CNAME'],
    description: 'Record types tried, in order, for upstream and service host names; the first that answers wins. LAST is the type that last answered for the name; CNAME resolves the alias target in the same order; AAAA is asked only when listed.' },
  dns_stale_ttl: { type: 'number', integer: true, min: 0, default: '3600', section: 'dns',
    description: 'Seconds an expired answer is still served while a refresh fails.' },
  new_dns_client: { type: 'boolean', default: 'off', section: 'dns',
    description: "Resolve the targets of upstream entities as Kong's new DNS client: with the resolver_* keys instead of the dns_* keys, keeping its statistics (queries, answers, cache hits per name), which GET /status/dns serves on the Admin API and the status listener; off answers 501 there, as Kong's legacy client." },
  resolver_address: { type: 'array', default: null, section: 'dns', refine: refine.nameservers,
    description: 'With new_dns_client = on: name servers for the targets of upstream entities, comma-separated <ip>[:<port>]; unset = those of /etc/resolv.conf. A service host that names no upstream is resolved by the operating system.' },
  resolver_hosts_file: { type: 'string', default: '/etc/hosts', section: 'dns', resolve: 'cwd',
    description: 'With new_dns_client = on: hosts file whose entries answer before any DNS query for the targets of upstream entities.' },
  resolver_family: { type: 'array', default: 'A,SRV', section: 'dns', values: ['A', 'AAAA', 'SRV'],
    description: 'With new_dns_client = on: record types queried. A name of the form _<service>._<proto>.<name> is asked SRV only (when listed); any other name A, then AAAA, each when listed.' },
  resolver_stale_ttl: { type: 'number', integer: true, min: 0, default: '3600', section: 'dns',
    description: 'With new_dns_client = on: seconds an expired answer is still served while a refresh fails.' },

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
    description: 'Largest configuration payload in bytes exchanged between control and data planes; a data plane also refuses one that decompresses to more than 8 times this.' },
  config_release_history: { type: 'number', integer: true, min: 1, default: '100', section: 'hybrid',
    description: 'Config releases kept in the database with their full configuration (GET /config/releases); older ones are pruned. Tollgate key.' },

  // misc
  router_flavor: { type: 'enum', default: 'traditional_compatible', values: ['traditional_compatible', 'traditional'], section: 'misc',
    description: 'Route priority rules: traditional_compatible (Kong 3.x default). traditional is accepted for Kong 2.x files and routes by the same rules, with a start-up warning.' },
  redis_host: { type: 'string', default: '127.0.0.1', section: 'misc', description: 'Default Redis host offered to plugins with a redis policy. Tollgate key.' },
  redis_port: { ...port, default: '6379', section: 'misc', description: 'Default Redis port offered to plugins with a redis policy. Tollgate key.' },
  // tracing (Kong keys; read by the opentelemetry and zipkin plugins)
  tracing_instrumentations: { type: 'array', default: 'off', section: 'misc', aliases: ['opentelemetry_tracing'],
    values: ['all', 'off', 'request', 'router', 'balancer', 'plugin_rewrite', 'plugin_access', 'plugin_header_filter', 'http_client', 'dns_query', 'db_query'],
    description: 'Spans the data plane records for the opentelemetry plugin: off (the plugin only propagates headers), all, or a list of request, router, balancer, plugin_rewrite, plugin_access, plugin_header_filter (http_client, dns_query and db_query are accepted and record nothing).' },
  tracing_sampling_rate: { type: 'number', min: 0, max: 1, default: '0.01', section: 'misc', aliases: ['opentelemetry_tracing_sampling_rate'],
    description: 'Fraction of traces sampled when a plugin sets no sampling_rate of its own (0 to 1).' },
};

export const KEYS: readonly KeyDef[] = Object.freeze(
  Object.entries(ROWS).map(([name, row]) => Object.freeze({ name: name as KeyName, ...row })),
);

/** Every accepted spelling (names and aliases) -> its row; `def.name` is the canonical key. */
export const KEYS_BY_NAME: ReadonlyMap<string, KeyDef> = new Map(
  KEYS.flatMap((def) => [[def.name, def] as const, ...(def.aliases ?? []).map((alias) => [alias, def] as const)]),
);
