// The data plane under benchmark: N routes to one upstream, an http and an https listener on fixed ports.
// Run by bench/proxy/run.sh after bench/proxy/build.js. Env: ROUTES, HTTP_PORT, HTTPS_PORT, UPSTREAM_PORT, ACCESS_LOG
// (a file path: proxy_access_log on; unset: off). Prints `READY <compile ms> <rss MB>` when listening.
import { issueCertificate } from '@tollgate/pki';
import type { ListenEntry, Settings } from '@tollgate/config/types';
import type { RouteRow, ServiceRow } from '@tollgate/declarative/snapshot';
import { startDataPlane } from '../../apps/proxy/src/main';
import { StaticConfigProvider } from '../../apps/proxy/src/provider';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const routes = env('ROUTES', 1);

const entry = (port: number, ssl: boolean): ListenEntry => ({
  ip: '127.0.0.1', port, listener: `127.0.0.1:${port}${ssl ? ' ssl' : ''}`, ssl, http2: false, proxyProtocol: false,
  deferred: false, bind: false, reuseport: false, transparent: false, backlog: 16384,
});

const svc = {
  id: '00000000-0000-4000-8000-000000000001', name: 'bench', protocol: 'http', host: '127.0.0.1', port: env('UPSTREAM_PORT', 18080),
  path: null, retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true,
  tls_verify: null, tls_verify_depth: null, ca_certificates: null, client_certificate: null,
} as unknown as ServiceRow;

const routeRows: RouteRow[] = [];
for (let i = 0; i < routes; i++) {
  routeRows.push({
    id: `10000000-0000-4000-8000-${i.toString(16).padStart(12, '0')}`, name: null, protocols: ['http', 'https'], methods: null,
    hosts: null, paths: [`/api/v1/r${i}`], headers: null, snis: null, sources: null, destinations: null, regex_priority: 0,
    strip_path: false, preserve_host: false, path_handling: 'v0', https_redirect_status_code: 426, request_buffering: true,
    response_buffering: true, created_at: 1700000000 + i, service: { id: svc.id },
  } as unknown as RouteRow);
}

async function main(): Promise<void> {
  const settings = {
    // the run's own directory: two benchmarks at once never share a prefix
    prefix: process.env.PREFIX ?? '/tmp/tollgate-bench', role: 'data_plane',
    proxy_listeners: [entry(env('HTTP_PORT', 18000), false), entry(env('HTTPS_PORT', 18443), true)],
    ssl_cert: [], ssl_cert_key: [], trusted_ips: [], real_ip_header: 'X-Real-IP', real_ip_recursive: false,
    headers: ['server_tokens', 'latency_tokens', 'x-kong-request-id'], headers_upstream: ['x-kong-request-id'],
    error_default_type: 'text/plain', client_max_body_size: 0, client_header_timeout: 60000, client_max_header_size: 32768,
    client_max_headers: 100, upstream_keepalive_pool_size: 512, upstream_keepalive_max_requests: 10000, upstream_keepalive_idle_timeout: 60,
    proxy_access_log: process.env.ACCESS_LOG || null, stream_listeners: [], plugins: ['bundled'],
  } as unknown as Settings;
  const provider = new StaticConfigProvider({ _format_version: '3.0', services: [svc], routes: routeRows });
  const dp = await startDataPlane(settings, { provider, certificates: issueCertificate({ commonName: 'localhost', keyBits: 2048 }) });
  const applied = dp.lastApply();
  const compileMs = applied && !(applied instanceof Error) ? applied.compileMs : -1;
  global.gc?.();
  process.stdout.write(`READY ${compileMs.toFixed(1)} ${(process.memoryUsage().rss / 1048576).toFixed(1)}\n`);
  const stop = () => void dp.close({ graceful: true, timeoutMs: 2000 }).then(() => process.exit(0));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

void main();
