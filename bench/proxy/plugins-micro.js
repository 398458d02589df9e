// The plugin pipeline of the plugins benchmark without HTTP: per request, what the proxy's handler does for a route
// with key-auth + rate-limiting (local): the host view and PluginRun, the access phase, the request header changes
// applied to an upstream header list and the queued response headers to a downstream one. Single-threaded and
// short, so it is far less sensitive to a shared machine than the wrk runs: an A/B of pipeline changes.
// Usage: node plugins-micro.js <label>=<built tree> ... (trees from build.js). Each tree runs in its own process
// (the same call sites would otherwise see both builds' objects), ROUNDS times (default 3) alternating, each run
// the best of 7 passes of 2e5 requests spread over 100 routes and 100 consumers as plugins-wrk.lua sends them;
// prints the lowest ns per request per tree.
'use strict';
const path = require('node:path');
const { execFileSync } = require('node:child_process');

if (process.env.PLUGINS_MICRO_CHILD === undefined) {
  const rounds = Number(process.env.ROUNDS ?? 3);
  const best = new Map();
  for (let round = 0; round < rounds; round++) {
    for (const arg of process.argv.slice(2)) {
      const out = execFileSync(process.execPath, [__filename, arg], { env: { ...process.env, PLUGINS_MICRO_CHILD: '1' }, encoding: 'utf8' });
      const ns = Number(out.trim());
      best.set(arg, Math.min(best.get(arg) ?? Infinity, ns));
    }
  }
  for (const [arg, ns] of best) console.log(`${arg.split('=')[0].padEnd(24)} ${ns.toFixed(0).padStart(6)} ns/request (key-auth + rate-limiting local pipeline, best of ${rounds})`);
  return;
}

const N = 2e5;
const hex = (prefix, i) => `${prefix}-0000-4000-8000-${i.toString(16).padStart(12, '0')}`;
const svc = { id: hex('00000000', 1), name: 'bench', protocol: 'http', host: '127.0.0.1', port: 18080, enabled: true };
const routes = [];
const plugins = [];
for (let i = 0; i < 100; i++) {
  const id = hex('10000000', i);
  routes.push({ id, paths: [`/api/v1/r${i}`], service: { id: svc.id } });
  const row = (pid, name, config) => ({ id: pid, name, route: { id }, service: null, consumer: null, config, protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true });
  plugins.push(row(hex('20000000', i), 'key-auth', { key_names: ['apikey'], hide_credentials: false, anonymous: null, key_in_header: true, key_in_query: true, key_in_body: false, run_on_preflight: true, realm: null }));
  plugins.push(row(hex('30000000', i), 'rate-limiting', { second: null, minute: null, hour: 1e9, day: null, month: null, year: null, limit_by: 'consumer', header_name: null, path: null, policy: 'local', fault_tolerant: true, hide_client_headers: false, error_code: 429, error_message: 'API rate limit exceeded', sync_rate: -1 }));
}
const consumers = [];
const keys = [];
for (let i = 0; i < 100; i++) {
  consumers.push({ id: hex('40000000', i), username: `user-${i}`, custom_id: null });
  keys.push({ id: hex('50000000', i), key: `key-${i}`, consumer: { id: hex('40000000', i) }, ttl: null, created_at: 1700000000 });
}
const snapshot = { _format_version: '3.0', services: [svc], routes, plugins, consumers, keyauth_credentials: keys };

// what Node's parser hands the handler for one wrk request
const requests = [];
for (let i = 0; i < 100; i++) {
  const rawHeaders = ['Host', '127.0.0.1:18010', 'apikey', `key-${i}`];
  requests.push({ method: 'GET', url: `/api/v1/r${i}/x`, httpVersion: '1.1', httpVersionMajor: 1, httpVersionMinor: 1, rawHeaders,
    headers: { host: '127.0.0.1:18010', apikey: `key-${i}` }, socket: { remotePort: 40000 } });
}

for (const arg of process.argv.slice(2)) {
  const tree = arg.split('=')[1];
  const root = path.resolve(tree);
  const lib = require(path.join(root, 'libs/plugins/src'));
  const phase = require(path.join(root, 'apps/proxy/src/forward/plugin-phase'));
  const chains = lib.compilePluginChains(snapshot, lib.loadPlugins(['bundled']));
  const ctx = { logger: { warn() {}, error() {} } };
  const compiled = routes.map((r) => ({ pluginRoute: { id: r.id }, pluginService: { id: svc.id } }));
  const one = (i) => {
    const req = requests[i % 100];
    const route = compiled[i % 100];
    const host = new phase.ProxyHostRequest(req, 'http', 'http', '127.0.0.1', req.url, req.url, '', '127.0.0.1', false);
    const run = phase.beginPluginRun(ctx, chains, route, req, 'f0e1d2c3b4a5968778695a4b3c2d1e0f', host);
    const r = lib.runAccessPhases(run);
    if (r !== undefined || run.response.exitResponse !== null) throw new Error('the access phase did not let the request through');
    const up = lib.applyRequestHeaderChanges(run, ['Host', '127.0.0.1:18090', 'apikey', req.headers.apikey, 'X-Forwarded-For', '127.0.0.1']);
    const down = lib.runHeaderFilterOnList(run, 200, ['Server', 'nginx', 'Date', 'Mon, 07 Dec 2026 02:00:00 GMT', 'Content-Type', 'text/plain', 'Content-Length', '2']);
    return up.length + down.length;
  };
  let sink = 0;
  for (let i = 0; i < N; i++) sink += one(i); // warm-up
  let best = Infinity;
  for (let round = 0; round < 7; round++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) sink += one(i);
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  if (sink === 0) throw new Error('unreachable');
  process.stdout.write(`${best}\n`);
}
