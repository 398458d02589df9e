#!/usr/bin/env node
// bench/admin: creates 10,000 services with one route each over loopback, then pages GET /routes?size=1000.
// Reports creates/s, p99 page latency and the node's RSS, with ratios against a baseline measured in the same
// run: a bare node:http server that accepts the same requests and keeps them in a Map (client + loopback cost).
// The same build also runs without config release writes (BENCH_ADMIN_NO_RELEASES=1, an internal switch), so
// the cost of release history (config_release_history = 100, the default) is printed as a ratio measured in this
// run; the target is that releases cost at most 10% of the create throughput. The two control planes run
// side by side and take the creates in alternating slices of --slice services (with their routes), so load drift
// on a shared machine weighs on both; the CPU time each process spent per create is printed too.
//   usage: npm run bench:admin [-- --count 10000 --concurrency 16 --database sqlite|postgres --server cli|source
//          --slice 500 --cpu-prof DIR]
//   --cpu-prof DIR writes a V8 CPU profile of each control plane to DIR (releases-on-*.cpuprofile, releases-off-*).
//   --server cli (the default) runs the built `bin/tollgate.js start` as a user would; source runs apps/admin from the TypeScript
//   sources through bench/admin/serve-source.js, so it needs no build; crud-only runs just persistence + generic
//   CRUD (bench/admin/serve-crud-only.js), the write path without the configuration snapshot.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Agent, request } from 'undici';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const arg = (name, def) => { const i = process.argv.indexOf(`--${name}`); return i > 0 ? process.argv[i + 1] : def; };
const COUNT = Number(arg('count', 10000));
const CONCURRENCY = Number(arg('concurrency', 16));
const DATABASE = arg('database', 'sqlite');
const SERVER = arg('server', 'cli');
const SLICE = Number(arg('slice', 500));
const CPU_PROF = arg('cpu-prof', null);

const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });

async function post(base, path, body) {
  const r = await request(base + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
  const text = await r.body.text();
  if (r.statusCode !== 201) throw new Error(`${path}: ${r.statusCode} ${text}`);
  return JSON.parse(text);
}

/** Creates services from..to-1, each with one route, CONCURRENCY at a time. */
async function createRange(base, from, to) {
  let next = from;
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < to; i = next++) {
      const svc = await post(base, '/services', { name: `svc-${i}`, url: `http://127.0.0.1:9/${i}` });
      await post(base, `/services/${svc.id}/routes`, { name: `route-${i}`, paths: [`/r/${i}`] });
    }
  }));
}

async function createAll(base) {
  const started = performance.now();
  await createRange(base, 0, COUNT);
  return (COUNT * 2) / ((performance.now() - started) / 1000);
}

async function pageAll(base) {
  const times = [];
  let path = '/routes?size=1000';
  let rows = 0;
  while (path) {
    const t = performance.now();
    const r = await request(base + path, { dispatcher: agent });
    const body = await r.body.json();
    times.push(performance.now() - t);
    rows += body.data.length;
    path = body.next;
  }
  times.sort((a, b) => a - b);
  return { rows, pages: times.length, p99: times[Math.min(times.length - 1, Math.ceil(times.length * 0.99) - 1)] };
}

/** CPU seconds (user + system) the process has used: a figure the other load on the machine hardly moves. */
function cpuOf(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

function rssOf(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)[1]) / 1024;
}

async function baseline() {
  const store = new Map();
  const server = createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      if (req.method === 'POST') {
        const row = { id: crypto.randomUUID(), ...JSON.parse(Buffer.concat(chunks).toString()) };
        store.set(row.id, row);
        res.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify(row));
      } else {
        const u = new URL(req.url, 'http://x');
        const offset = Number(u.searchParams.get('offset') ?? 0);
        const all = [...store.values()];
        const data = all.slice(offset, offset + 1000);
        const next = offset + 1000 < all.length ? `/routes?size=1000&offset=${offset + 1000}` : null;
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ data, next }));
      }
    });
  });
  await new Promise((r) => server.listen(0, '127.0.0.1', r));
  const base = `http://127.0.0.1:${server.address().port}`;
  const createsPerSec = await createAll(base);
  const pages = await pageAll(base);
  server.close();
  return { createsPerSec, ...pages };
}

/** A fresh control plane (new prefix, new database) with release writes on or off; resolves once it listens. */
async function startTollgate(releases) {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-bench-admin-'));
  const conf = join(prefix, 'tollgate.conf');
  writeFileSync(conf, [
    `prefix = ${prefix}`, 'admin_listen = 127.0.0.1:0', 'proxy_listen = off', 'status_listen = off',
    `database = ${DATABASE}`, 'pg_host = 127.0.0.1', 'pg_database = test', 'pg_user = postgres', `pg_schema = ${schemaFor(releases)}`,
    'log_level = notice',
  ].join('\n') + '\n');
  const command = SERVER === 'cli'
    ? [join(ROOT, 'bin', 'tollgate.js'), 'start', '-c', conf, '-p', prefix]
    : [join(ROOT, 'bench', 'admin', SERVER === 'crud-only' ? 'serve-crud-only.js' : 'serve-source.js'), conf, prefix];
  const env = { ...process.env };
  if (!releases) env.BENCH_ADMIN_NO_RELEASES = '1';
  const profile = CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${CPU_PROF}`, `--cpu-prof-name=releases-${releases ? 'on' : 'off'}-${Date.now()}.cpuprofile`] : [];
  const child = spawn(process.execPath, [...profile, ...command], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const port = await new Promise((resolve, reject) => {
    let buf = '';
    const onData = (c) => {
      buf += c;
      const m = /"key":"admin_listen"[^\n]*"port":(\d+)/.exec(buf);
      if (m) resolve(Number(m[1]));
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => reject(new Error(`tollgate exited ${code}: ${buf}`)));
  });
  return { child, base: `http://127.0.0.1:${port}`, seconds: 0, cpu: 0 };
}

async function stopTollgate(node) {
  node.child.kill('SIGTERM');
  await new Promise((r) => node.child.once('exit', r));
}

/** On PostgreSQL each control plane gets its own fresh schema in database `test`, dropped at the end. */
const RUN_ID = `${process.pid}_${Date.now()}`;
const schemaFor = (releases) => `bench_admin_${RUN_ID}_${releases ? 'on' : 'off'}`;

async function dropSchemas() {
  if (DATABASE !== 'postgres') return;
  const { default: pg } = await import('pg');
  const client = new pg.Client({ host: '127.0.0.1', port: 5432, user: 'postgres', database: 'test' });
  await client.connect();
  for (const releases of [false, true]) await client.query(`DROP SCHEMA IF EXISTS "${schemaFor(releases)}" CASCADE`);
  await client.end();
}

/**
 * Both control planes run side by side and take the creates in alternating slices (SLICE services + routes each),
 * so load from elsewhere on the machine and the growing tables weigh on both alike; each one's creates/s is its
 * creates over the wall time of its own slices.
 */
async function compareReleases() {
  const off = await startTollgate(false);
  const on = await startTollgate(true);
  try {
    for (let from = 0; from < COUNT; from += SLICE) {
      const to = Math.min(COUNT, from + SLICE);
      const order = (from / SLICE) % 2 ? [on, off] : [off, on];
      for (const node of order) {
        const cpu = cpuOf(node.child.pid);
        const started = performance.now();
        await createRange(node.base, from, to);
        node.seconds += (performance.now() - started) / 1000;
        node.cpu += cpuOf(node.child.pid) - cpu;
      }
    }
    const result = async (node) => ({
      createsPerSec: (COUNT * 2) / node.seconds,
      cpuMsPerCreate: (node.cpu * 1000) / (COUNT * 2),
      ...(await pageAll(node.base)),
      rssMb: rssOf(node.child.pid),
    });
    return { off: await result(off), on: await result(on) };
  } finally {
    await stopTollgate(off);
    await stopTollgate(on);
    await dropSchemas();
  }
}

const base = await baseline();
const { off, on: tg } = await compareReleases();
const fmt = (n) => n.toFixed(1);
const fmt3 = (n) => n.toFixed(3);
const overhead = 1 - tg.createsPerSec / off.createsPerSec;
console.log(`bench/admin: ${COUNT} services + ${COUNT} routes, concurrency ${CONCURRENCY}, database ${DATABASE}, server ${SERVER}, slices of ${SLICE}`);
console.log(`  baseline (bare node:http + Map): ${fmt(base.createsPerSec)} creates/s, GET /routes?size=1000 p99 ${fmt(base.p99)} ms over ${base.pages} pages`);
console.log(`  tollgate, no release writes:     ${fmt(off.createsPerSec)} creates/s, ${fmt3(off.cpuMsPerCreate)} CPU ms/create, GET /routes?size=1000 p99 ${fmt(off.p99)} ms, RSS ${fmt(off.rssMb)} MB`);
console.log(`  tollgate (release history 100):  ${fmt(tg.createsPerSec)} creates/s, ${fmt3(tg.cpuMsPerCreate)} CPU ms/create, GET /routes?size=1000 p99 ${fmt(tg.p99)} ms over ${tg.pages} pages (${tg.rows} rows), RSS ${fmt(tg.rssMb)} MB`);
console.log(`  ratio tollgate/baseline: creates/s ${(tg.createsPerSec / base.createsPerSec).toFixed(3)}, page p99 ${(tg.p99 / base.p99).toFixed(2)}x`);
console.log(`  ratio releases on/off: creates/s ${(tg.createsPerSec / off.createsPerSec).toFixed(3)} (release writes cost ${(overhead * 100).toFixed(1)}%), CPU ms per create ${(tg.cpuMsPerCreate / off.cpuMsPerCreate).toFixed(3)}x`);
console.log(`  target: release writes cost <= 10% of create throughput -> ${overhead <= 0.10 ? 'met' : 'NOT met'}`);
console.log(`  target: >= 1000 creates/s on SQLite -> ${tg.createsPerSec >= 1000 ? 'met' : 'NOT met'}`);
await agent.close();
