// The data plane under the plugins benchmark: ROUTES routes, each with key-auth + rate-limiting (local) when
// PLUGINS=1, CONSUMERS consumers with one key each (key-<i>). Env as serve.ts plus PLUGINS, CONSUMERS, POLICY
// (local | redis). Prints `READY <compile ms> <rss MB>` when listening.
import type { ListenEntry, Settings } from '@tollgate/config/types';
import type { Row, RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import { startDataPlane } from '../../apps/proxy/src/main';
import { StaticConfigProvider } from '../../apps/proxy/src/provider';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const routes = env('ROUTES', 100);
const consumers = env('CONSUMERS', 100);
const withPlugins = env('PLUGINS', 1) === 1;
const policy = process.env.POLICY ?? 'local';
const hex = (prefix: string, i: number) => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;

const entry = (port: number): ListenEntry => ({
  ip: '127.0.0.1', port, listener: `127.0.0.1:${port}`, ssl: false, http2: false, proxyProtocol: false,
  deferred: false, bind: false, reuseport: false, transparent: false, backlog: 16384,
});

const svc = {
  id: hex('00000000', 1), name: 'bench', protocol: 'http', host: '127.0.0.1', port: env('UPSTREAM_PORT', 18080),
  path: null, retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true,
  tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null,
} as unknown as ServiceRow;

const routeRows: RouteRow[] = [];
const plugins: Row[] = [];
const pluginRow = (id: string, name: string, routeId: string, config: Record<string, unknown>) =>
  ({ id, name, instance_name: null, route: { id: routeId }, service: null, consumer: null, config, protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true, tags: null, created_at: 1700000000 }) as Row;
for (let i = 0; i < routes; i++) {
  const id = hex('10000000', i);
  routeRows.push({
    id, name: null, protocols: ['http', 'https'], methods: null, hosts: null, paths: [`/api/v1/r${i}`], headers: null, snis: null,
    sources: null, destinations: null, regex_priority: 0, strip_path: false, preserve_host: false, path_handling: 'v0',
    https_redirect_status_code: 426, request_buffering: true, response_buffering: true, created_at: 1700000000 + i, service: { id: svc.id },
  } as unknown as RouteRow);
  if (!withPlugins) continue;
  plugins.push(pluginRow(hex('20000000', i), 'key-auth', id, {
    key_names: ['apikey'], hide_credentials: false, anonymous: null, key_in_header: true, key_in_query: true, key_in_body: false, run_on_preflight: true, realm: null,
  }));
  plugins.push(pluginRow(hex('30000000', i), 'rate-limiting', id, {
    second: null, minute: null, hour: 1e9, day: null, month: null, year: null, limit_by: 'consumer', header_name: null, path: null,
    policy, fault_tolerant: true, hide_client_headers: false, error_code: 429, error_message: 'API rate limit exceeded', sync_rate: -1,
    redis: { host: '127.0.0.1', port: 6379, timeout: 2000, connect_timeout: 2000, send_timeout: 2000, read_timeout: 2000, username: null, password: null, database: 0, ssl: false, ssl_verify: false, server_name: null },
  }));
}
const consumerRows: Row[] = [];
const keys: Row[] = [];
for (let i = 0; i < consumers; i++) {
  consumerRows.push({ id: hex('40000000', i), username: `user-${i}`, custom_id: null, tags: null, created_at: 1700000000 } as Row);
  keys.push({ id: hex('50000000', i), key: `key-${i}`, consumer: { id: hex('40000000', i) }, ttl: null, tags: null, created_at: 1700000000 } as Row);
}

async function main(): Promise<void> {
  const settings = {
    prefix: '/tmp/tollgate-bench', role: 'data_plane', plugins: ['bundled'], stream_listeners: [],
    proxy_listeners: [entry(env('HTTP_PORT', 18000))],
    ssl_cert: [], ssl_cert_key: [], trusted_ips: [], real_ip_header: 'X-Real-IP', real_ip_recursive: false,
    headers: ['server_tokens', 'latency_tokens', 'x-kong-request-id'], headers_upstream: ['x-kong-request-id'],
    error_default_type: 'text/plain', client_max_body_size: 0, client_header_timeout: 60000, client_max_header_size: 32768,
    client_max_headers: 100, upstream_keepalive_pool_size: 512, upstream_keepalive_max_requests: 10000, upstream_keepalive_idle_timeout: 60,
  } as unknown as Settings;
  const provider = new StaticConfigProvider({
    _format_version: '3.0', services: [svc], routes: routeRows, plugins, consumers: consumerRows, keyauth_credentials: keys,
  });
  const dp = await startDataPlane(settings, { provider });
  const applied = dp.lastApply();
  const compileMs = applied && !(applied instanceof Error) ? applied.compileMs : -1;
  global.gc?.();
  process.stdout.write(`READY ${compileMs.toFixed(1)} ${(process.memoryUsage().rss / 1048576).toFixed(1)}\n`);
  const stop = () => void dp.close({ graceful: true, timeoutMs: 2000 }).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
