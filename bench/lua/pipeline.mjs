// Cost per request of Lua in the real plugin pipeline (compiled chains, PluginRun, runAccessPhases and
// runHeaderFilter from dist/), in-process: a route without plugins is the baseline of the same run.
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
const require = createRequire(import.meta.url);
const plugins = require('../../dist/apps/cli/libs/plugins/src/index.js');

const N = Number(process.env.N ?? 100000);
const ROUNDS = Number(process.env.ROUNDS ?? 3);

export const CASES = {
  'no plugin (baseline)': [],
  'pre-function, one-line snippet': [['pre-function', { access: ['kong.service.request.set_header("x-seen", kong.request.get_header("host"))'] }]],
  'request-transformer, static value': [['request-transformer', { add: { headers: ['x-static:value'] } }]],
  'request-transformer, template $(headers.host)': [['request-transformer', { add: { headers: ['x-host:$(headers.host)'] } }]],
  'request-transformer, Supabase expression': [['request-transformer', {
    add: { headers: ["Authorization: $((headers.authorization ~= nil and headers.authorization:sub(1, 10) ~= 'Bearer sb_' and headers.authorization) or headers.apikey)"] },
  }]],
};

function chainsFor(list) {
  const registry = plugins.loadPlugins(['bundled']);
  const service = { id: randomUUID(), name: 's', host: 'up.test', port: 80, protocol: 'http', enabled: true };
  const route = { id: randomUUID(), name: 'r', paths: ['/'], service: { id: service.id } };
  const rows = list.map(([name, config]) => {
    const checked = plugins.validatePluginConfig(registry.schemas, name, config);
    if (!checked.ok) throw new Error(JSON.stringify(checked.fields));
    return { id: randomUUID(), name, config: checked.value, route: { id: route.id }, service: null, consumer: null, enabled: true, protocols: ['http', 'https'] };
  });
  const snapshot = { services: [service], routes: [route], plugins: rows, consumers: [] };
  return { chains: plugins.compilePluginChains(snapshot, registry), route, service };
}

const host = {
  method: 'GET', protocol: 'http', scheme: 'http', host: 'api.test', rawPath: '/things', upstreamPath: '/things', rawQuery: '',
  headers: { host: 'api.test', apikey: 'anon-key', 'user-agent': 'bench' }, clientIp: '127.0.0.1', readBody: async () => Buffer.alloc(0),
};
const silent = { debug() {}, info() {}, warn() {}, error(m, o) { throw new Error(`${m} ${JSON.stringify(o)}`); } };

function oneRequest({ chains, route, service }) {
  const run = new plugins.PluginRun(chains, host, { id: route.id, name: 'r', row: route }, { id: service.id, name: 's', row: service }, 'id', silent, 0);
  const pending = plugins.runAccessPhases(run);
  if (pending !== undefined) throw new Error('unexpected async access phase');
  plugins.runHeaderFilter(run, 200, { 'content-type': 'text/plain' });
  return run;
}

function nsPerRequest(setup) {
  for (let i = 0; i < N / 10; i++) oneRequest(setup);
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < N; i++) oneRequest(setup);
  return Number(process.hrtime.bigint() - t0) / N;
}

export function measurePipeline() {
  const setups = Object.fromEntries(Object.entries(CASES).map(([k, v]) => [k, chainsFor(v)]));
  // the rendered values prove each case really ran
  const probe = (name) => oneRequest(setups[name]).request.upstreamHeaders();
  if (probe('pre-function, one-line snippet')['x-seen'] !== 'api.test') throw new Error('snippet did not run');
  if (probe('request-transformer, template $(headers.host)')['x-host'] !== 'api.test') throw new Error('template did not render');
  if (probe('request-transformer, Supabase expression').authorization !== ' anon-key') throw new Error('expression did not render');
  const best = {};
  for (let r = 0; r < ROUNDS; r++) {
    for (const [name, setup] of Object.entries(setups)) best[name] = Math.min(best[name] ?? Infinity, nsPerRequest(setup));
  }
  return best;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const best = measurePipeline();
  const base = best['no plugin (baseline)'];
  for (const [name, ns] of Object.entries(best)) console.log(`${name.padEnd(48)} ${(ns / 1000).toFixed(2)} µs/request  (+${((ns - base) / 1000).toFixed(2)} µs)`);
}
