// Contract of the static configuration (tollgate.conf + TOLLGATE_* env). Keys are kong.conf's snake_case
// names on purpose: they are what operators write and what `GET /` reports under `configuration`.

export type ListenerKind = 'proxy' | 'admin' | 'status' | 'stream' | 'cluster';

/** One parsed entry of a `*_listen` value, e.g. `0.0.0.0:8443 http2 ssl reuseport backlog=16384`. */
export interface ListenEntry {
  /** Address as the socket API wants it: '0.0.0.0', '::1' (no brackets), or a hostname. `*` becomes '0.0.0.0'. */
  readonly ip: string;
  readonly port: number;
  /** Normalized text of the entry, e.g. '[::1]:8000 ssl' (used in logs and error messages). */
  readonly listener: string;
  readonly ssl: boolean;
  readonly http2: boolean;
  readonly proxyProtocol: boolean;
  readonly deferred: boolean;
  readonly bind: boolean;
  readonly reuseport: boolean;
  /** undefined = OS default */
  readonly backlog?: number;
  /** undefined = not given */
  readonly ipv6only?: boolean;
  /** undefined = not given; false = off; true = on; object = idle:intvl:cnt in seconds (absent parts undefined) */
  readonly soKeepalive?: boolean | { idle?: number; interval?: number; count?: number };
  readonly transparent: boolean;
  /** Stream only: a UDP listener (parsed as Kong does, but rejected at load: UDP proxying is not supported). */
  readonly udp?: boolean;
}

export type Role = 'traditional' | 'control_plane' | 'data_plane';
export type DatabaseKind = 'sqlite' | 'postgres' | 'off';

/** The frozen, validated settings object. Every kong.conf key we support appears here with its parsed type. */
export interface Settings {
  readonly prefix: string; // absolute path
  readonly role: Role;
  readonly log_level: 'debug' | 'info' | 'notice' | 'warn' | 'error' | 'crit' | 'alert' | 'emerg';
  readonly proxy_access_log: string | null; // path relative to prefix resolved to absolute, or null for off
  readonly proxy_error_log: string | null;
  readonly admin_access_log: string | null;
  readonly admin_error_log: string | null;
  readonly log_format: 'auto' | 'text' | 'json';
  readonly proxy_access_log_format: 'kong' | 'json';

  readonly proxy_listen: readonly string[];
  readonly admin_listen: readonly string[];
  readonly stream_listen: readonly string[];
  readonly status_listen: readonly string[];
  readonly cluster_listen: readonly string[];
  readonly proxy_listeners: readonly ListenEntry[];
  readonly admin_listeners: readonly ListenEntry[];
  readonly stream_listeners: readonly ListenEntry[];
  readonly status_listeners: readonly ListenEntry[];
  readonly cluster_listeners: readonly ListenEntry[];

  readonly database: DatabaseKind;
  readonly sqlite_file: string; // absolute; default <prefix>/tollgate.db
  readonly pg_host: string;
  readonly pg_port: number;
  readonly pg_user: string;
  readonly pg_password: string | null;
  readonly pg_database: string;
  readonly pg_schema: string | null;
  readonly pg_timeout: number;
  readonly pg_ssl: boolean;
  readonly pg_ssl_verify: boolean;
  readonly pg_pool_size: number | null;

  readonly ssl_cert: readonly string[];
  readonly ssl_cert_key: readonly string[];
  readonly admin_ssl_cert: readonly string[];
  readonly admin_ssl_cert_key: readonly string[];
  readonly status_ssl_cert: readonly string[];
  readonly status_ssl_cert_key: readonly string[];
  readonly ssl_protocols: readonly string[];
  /** 'system' and/or absolute PEM file paths */
  readonly lua_ssl_trusted_certificate: readonly string[];

  readonly trusted_ips: readonly string[];
  readonly real_ip_header: string;
  readonly real_ip_recursive: boolean;
  /** Normalized, expanded tokens: 'server', 'via', 'x-kong-proxy-latency', ... (lower case); empty when `off`. */
  readonly headers: readonly string[];
  readonly headers_upstream: readonly string[];
  readonly error_default_type: 'application/json' | 'application/xml' | 'text/html' | 'text/plain';

  /** Resolved count: `auto` = number of cores. */
  readonly worker_processes: number;
  readonly plugins: readonly string[]; // 'bundled' expanded later by libs/plugins; kept as written
  readonly untrusted_lua: 'on' | 'off' | 'sandbox';
  readonly untrusted_lua_sandbox_requires: readonly string[] | null;
  readonly syslog_socket: string;
  readonly node_id: string | null;

  // Admin API protection (Tollgate keys)
  readonly admin_access_allow: readonly string[]; // CIDRs
  readonly admin_api_key: string | null;
  readonly admin_ssl_client_ca: string | null;
  readonly admin_allow_insecure: boolean;
  readonly admin_gui_url: readonly string[];
  readonly admin_max_body_size: number; // bytes; kong's nginx_admin_client_max_body_size default 10m

  // Proxy limits (Tollgate keys, nginx-like defaults)
  readonly mem_cache_size: number; // bytes: proxy-cache's node-wide cache (kong: sizes kong_db_cache)
  readonly client_max_body_size: number; // bytes, 0 = unlimited; kong: nginx_http_client_max_body_size=0
  readonly client_header_timeout: number; // ms
  readonly client_body_timeout: number; // ms
  readonly send_timeout: number; // ms
  readonly client_max_header_size: number; // bytes
  readonly client_max_headers: number; // lua_max_req_headers analogue
  readonly http2_max_concurrent_streams: number;
  readonly client_body_buffer_size: number;
  readonly upstream_keepalive_pool_size: number;
  readonly upstream_keepalive_max_requests: number;
  readonly upstream_keepalive_idle_timeout: number; // seconds

  // Upstream name resolution (Kong's dns_* keys)
  readonly dns_resolver: readonly string[];
  readonly dns_hostsfile: string;
  readonly dns_order: readonly string[];
  readonly dns_stale_ttl: number; // seconds
  /** Kong's new_dns_client: upstream names resolve by the resolver_* keys, with Kong's statistics (GET /status/dns). */
  readonly new_dns_client: boolean;
  readonly resolver_address: readonly string[];
  readonly resolver_hosts_file: string;
  readonly resolver_family: readonly string[];
  readonly resolver_stale_ttl: number; // seconds
  /** Kong's tracing_instrumentations: off, all, or instrumentation types (request, router, balancer, plugin_*). */
  readonly tracing_instrumentations: readonly string[];
  /** Kong's tracing_sampling_rate (0..1). */
  readonly tracing_sampling_rate: number;

  // Declarative / hybrid
  readonly declarative_config: string | null;
  readonly cluster_control_plane: string;
  readonly cluster_mtls: 'shared' | 'pki';
  readonly cluster_cert: string | null;
  readonly cluster_cert_key: string | null;
  readonly cluster_ca_cert: string | null;
  readonly cluster_server_name: string | null;
  readonly cluster_dp_labels: Readonly<Record<string, string>>;
  readonly cluster_data_plane_purge_delay: number;
  readonly cluster_max_payload: number;
  readonly config_release_history: number;

  readonly allow_debug_header: boolean;
  readonly router_flavor: 'traditional_compatible' | 'traditional';
  readonly redis_host: string; // default for rate-limiting redis policy examples
  readonly redis_port: number;

  /** Where each key's value came from, for `tollgate config check` and `GET /`. */
  readonly sources: Readonly<Record<string, 'default' | 'file' | 'env' | 'cli'>>;
}
