// The data plane under the plugins benchmark: ROUTES routes, each with key-auth + rate-limiting (local) when
// PLUGINS=1, CONSUMERS consumers with one key each (key-<i>). Env as serve.ts plus PLUGINS, CONSUMERS, POLICY
// (local | redis), KEYAUTH=0 (rate-limiting alone, by client ip) and SHM=<file> (local counters in the node-wide
// shared file, as a worker of `tollgate start` has them). CACHE=local|node puts proxy-cache (alone) on every
// route instead: `local`, the cache in this process; `node`, as a `tollgate start` node has it: this process is
// the supervisor holding the cache and one forked worker runs the data plane, asking it over IPC.
// TRACE=opentelemetry|http-log puts that plugin alone on every route instead, exporting to SINK_PORT
// (opentelemetry with tracing_instrumentations = all and sampling rate 1: every request traced).
// Prints `READY <compile ms> <rss MB>` when listening.
import cluster from 'node:cluster';
import type { ListenEntry, Settings } from '@tollgate/config/types';
import type { Row, RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import { startDataPlane } from '../../apps/proxy/src/main';
import { StaticConfigProvider } from '../../apps/proxy/src/provider';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const routes = env('ROUTES', 100);
const consumers = env('CONSUMERS', 100);
const withPlugins = env('PLUGINS', 1) === 1;
const policy = process.env.POLICY ?? 'local';
const withKeyAuth = env('KEYAUTH', 1) === 1;
const cache = process.env.CACHE ?? '';
const trace = process.env.TRACE ?? '';
const sink = `http://127.0.0.1:${env('SINK_PORT', env('UPSTREAM_PORT', 18080))}`;
if (process.env.SHM) {
  // loaded only when asked: the baseline of an A/B run may predate the shared counters
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  (require('../../libs/plugins/src/shared-counters') as typeof import('../../libs/plugins/src/shared-counters')).useSharedCountersFile(process.env.SHM);
}
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
  if (cache !== '') {
    plugins.push(pluginRow(hex('60000000', i), 'proxy-cache', id, {
      response_code: [200, 301, 404], request_method: ['GET', 'HEAD'], content_type: ['text/plain', 'application/json'], cache_ttl: 300,
      strategy: 'memory', cache_control: false, ignore_uri_case: false, storage_ttl: null, memory: { dictionary_name: 'kong_db_cache' },
      vary_query_params: null, vary_headers: null, response_headers: { age: true, 'X-Cache-Status': true, 'X-Cache-Key': true },
    }));
    continue;
  }
  if (!withPlugins) continue;
  if (trace === 'opentelemetry') {
    plugins.push(pluginRow(hex('60000000', i), 'opentelemetry', id, {
      traces_endpoint: `${sink}/v1/traces`, logs_endpoint: null, headers: null, resource_attributes: null, batch_span_count: null, batch_flush_delay: null,
      queue: { max_batch_size: 200, max_coalescing_delay: 1, max_entries: 10000, max_bytes: null, max_retry_time: 60, initial_retry_delay: 0.01, max_retry_delay: 60, concurrency_limit: 1 },
      connect_timeout: 1000, send_timeout: 5000, read_timeout: 5000, http_response_header_for_traceid: null, header_type: 'preserve', sampling_rate: null,
      propagation: { extract: null, inject: null, clear: null, default_format: 'w3c' },
    }));
    continue;
  }
  if (trace === 'http-log') {
    plugins.push(pluginRow(hex('70000000', i), 'http-log', id, {
      http_endpoint: `${sink}/log`, method: 'POST', content_type: 'application/json', timeout: 10000, keepalive: 60000, retry_count: null, queue_size: null,
      flush_timeout: null, headers: null, custom_fields_by_lua: null,
      queue: { max_batch_size: 1, max_coalescing_delay: 1, max_entries: 10000, max_bytes: null, max_retry_time: 60, initial_retry_delay: 0.01, max_retry_delay: 60, concurrency_limit: 1 },
    }));
    continue;
  }
  if (withKeyAuth) plugins.push(pluginRow(hex('20000000', i), 'key-auth', id, {
    key_names: ['apikey'], hide_credentials: false, anonymous: null, key_in_header: true, key_in_query: true, key_in_body: false, run_on_preflight: true, realm: null,
  }));
  plugins.push(pluginRow(hex('30000000', i), 'rate-limiting', id, {
    second: null, minute: null, hour: 1e9, day: null, month: null, year: null, limit_by: withKeyAuth ? 'consumer' : 'ip', header_name: null, path: null,
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

/** CACHE=node, in the primary: hold the node cache, fork the worker, answer its IPC as the supervisor does. */
function superviseCacheWorker(): void {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const nc = require('../../libs/plugins/src/node-cache') as typeof import('../../libs/plugins/src/node-cache');
  const worker = cluster.fork();
  worker.on('message', (msg: unknown) => {
    if (!nc.isNodeCacheRequest(msg)) return;
    const reply = nc.answerNodeCache(msg);
    if (reply) worker.send(reply);
  });
  worker.process.stdout?.pipe(process.stdout);
  const stop = () => { worker.process.kill('SIGTERM'); worker.once('exit', () => process.exit(0)); };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

async function main(): Promise<void> {
  if (cache === 'node' && cluster.isPrimary) return superviseCacheWorker();
  if (cache === 'node') {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../../libs/plugins/src/node-cache') as typeof import('../../libs/plugins/src/node-cache'))
      .useNodeCacheOverIpc((msg) => process.send!(msg), (listener) => process.on('message', listener));
  }
  const settings = {
    // the run's own directory: two benchmarks at once never share a prefix
    prefix: process.env.PREFIX ?? '/tmp/tollgate-bench', role: 'data_plane', plugins: ['bundled'], stream_listeners: [],
    proxy_listeners: [entry(env('HTTP_PORT', 18000))],
    ssl_cert: [], ssl_cert_key: [], trusted_ips: [], real_ip_header: 'X-Real-IP', real_ip_recursive: false,
    headers: ['server_tokens', 'latency_tokens', 'x-kong-request-id'], headers_upstream: ['x-kong-request-id'],
    error_default_type: 'text/plain', client_max_body_size: 0, client_header_timeout: 60000, client_max_header_size: 32768,
    client_max_headers: 100, upstream_keepalive_pool_size: 512, upstream_keepalive_max_requests: 10000, upstream_keepalive_idle_timeout: 60,
  } as unknown as Settings;
  const provider = new StaticConfigProvider({
    _format_version: '3.0', services: [svc], routes: routeRows, plugins, consumers: consumerRows, keyauth_credentials: keys,
  });
  if (trace === 'opentelemetry') {
    // loaded only when asked: the baseline of an A/B run may predate the tracing settings
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    (require('../../libs/plugins/src/tracing/settings') as typeof import('../../libs/plugins/src/tracing/settings')).setTracingSettings(['all'], 1, 'bench');
  }
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
