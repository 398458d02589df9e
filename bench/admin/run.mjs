#!/usr/bin/env node
// bench/admin: creates 10,000 services with one route each over loopback, then pages GET /routes?size=1000.
// Reports creates/s, p99 page latency and the node's RSS, with ratios against a baseline measured in the same
// run: a bare node:http server that accepts the same requests and keeps them in a Map (client + loopback cost).
//   usage: npm run bench:admin [-- --count 10000 --concurrency 16 --database sqlite|postgres --server cli|source]
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

const agent = new Agent({ connections: CONCURRENCY, pipelining: 1 });

async function post(base, path, body) {
  const r = await request(base + path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' }, dispatcher: agent });
  const text = await r.body.text();
  if (r.statusCode !== 201) throw new Error(`${path}: ${r.statusCode} ${text}`);
  return JSON.parse(text);
}

async function createAll(base) {
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    for (let i = next++; i < COUNT; i = next++) {
      const svc = await post(base, '/services', { name: `svc-${i}`, url: `http://127.0.0.1:9/${i}` });
      await post(base, `/services/${svc.id}/routes`, { name: `route-${i}`, paths: [`/r/${i}`] });
    }
  }));
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

async function tollgate() {
  const prefix = mkdtempSync(join(tmpdir(), 'tollgate-bench-admin-'));
  const conf = join(prefix, 'tollgate.conf');
  writeFileSync(conf, [
    `prefix = ${prefix}`, 'admin_listen = 127.0.0.1:0', 'proxy_listen = off', 'status_listen = off',
    `database = ${DATABASE}`, 'pg_database = test', 'pg_user = postgres', 'log_level = notice',
  ].join('\n') + '\n');
  const command = SERVER === 'cli'
    ? [join(ROOT, 'bin', 'tollgate.js'), 'start', '-c', conf, '-p', prefix]
    : [join(ROOT, 'bench', 'admin', SERVER === 'crud-only' ? 'serve-crud-only.js' : 'serve-source.js'), conf, prefix];
  const child = spawn(process.execPath, command, { stdio: ['ignore', 'pipe', 'pipe'] });
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
  const base = `http://127.0.0.1:${port}`;
  const createsPerSec = await createAll(base);
  const pages = await pageAll(base);
  const rssMb = rssOf(child.pid);
  child.kill('SIGTERM');
  await new Promise((r) => child.once('exit', r));
  return { createsPerSec, rssMb, ...pages };
}

const base = await baseline();
const tg = await tollgate();
const fmt = (n) => n.toFixed(1);
console.log(`bench/admin: ${COUNT} services + ${COUNT} routes, concurrency ${CONCURRENCY}, database ${DATABASE}, server ${SERVER}`);
console.log(`  baseline (bare node:http + Map): ${fmt(base.createsPerSec)} creates/s, GET /routes?size=1000 p99 ${fmt(base.p99)} ms over ${base.pages} pages`);
console.log(`  tollgate:                        ${fmt(tg.createsPerSec)} creates/s, GET /routes?size=1000 p99 ${fmt(tg.p99)} ms over ${tg.pages} pages (${tg.rows} rows), RSS ${fmt(tg.rssMb)} MB`);
console.log(`  ratio tollgate/baseline: creates/s ${(tg.createsPerSec / base.createsPerSec).toFixed(3)}, page p99 ${(tg.p99 / base.p99).toFixed(2)}x`);
console.log(`  target: >= 1000 creates/s on SQLite -> ${tg.createsPerSec >= 1000 ? 'met' : 'NOT met'}`);
await agent.close();
