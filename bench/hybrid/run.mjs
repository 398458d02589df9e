// Hybrid propagation benchmark: control plane (SQLite) + 3 data-plane processes on loopback, 10,000 routes.
// Measures the time from the Admin API's 2xx to the new route answering on ALL three data planes (p50/p99 over
// CHANGES changes), bytes on the wire per one-route change (a passive puller speaking the cluster protocol),
// and the data planes' RSS. Needs `npm run build`. Usage: node bench/hybrid/run.mjs [routes] [changes]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { brotliDecompressSync } from 'node:zlib';

const ROOT = resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tollgate.js');
const ROUTES = Number(process.argv[2] ?? 10_000);
const CHANGES = Number(process.argv[3] ?? 200);
// Pause between rounds of probes while waiting for a change: a tight loop would keep the data planes' workers and
// this process busy answering 404s on the same 2 cores, slowing the very propagation it measures. Adds at most
// this much (plus timer slack) to each figure. HYBRID_POLL_MS=0 restores the tight loop.
const POLL_MS = Number(process.env.HYBRID_POLL_MS ?? 2);
// Changes made first and reported apart: the first deltas run code paths (delta apply, incremental compile) no
// process has run yet, so they measure JIT warm-up, not propagation. HYBRID_WARMUP=0 counts every change.
const WARMUP = Number(process.env.HYBRID_WARMUP ?? 5);
const agent = new Agent({ keepAlive: true, maxSockets: 64 });

function http(method, url, body) {
  return new Promise((res, rej) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const req = httpRequest(url, { method, agent, headers: payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {} }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, text: Buffer.concat(chunks).toString() }));
    });
    req.on('error', rej);
    req.end(payload);
  });
}

function start(conf, prefix) {
  const file = join(prefix, 'tollgate.conf');
  writeFileSync(file, Object.entries({ prefix, log_level: 'notice', ...conf }).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  // HYBRID_CPU_PROF=<dir>: every node process (workers inherit it) writes a CPU profile there when it stops
  const prof = process.env.HYBRID_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.HYBRID_CPU_PROF] : [];
  const child = spawn(process.execPath, [...prof, BIN, 'start', '-c', file, '-p', prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
  const ports = {};
  return new Promise((res, rej) => {
    let buf = '';
    const onData = (c) => {
      buf += c;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        try {
          const j = JSON.parse(line);
          if (j.key && j.port) ports[j.key] ??= j.port;
          if (String(j.msg).startsWith('tollgate started')) res({ child, ports, prefix });
        } catch { /* not JSON */ }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => rej(new Error(`exited ${code}`)));
  });
}

function rssKiB(pid) {
  let children = [];
  try { children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().trim().split(/\s+/).filter(Boolean); } catch { /* none */ }
  const pids = [String(pid), ...children];
  return pids.reduce((sum, p) => sum + Number(execFileSync('ps', ['-o', 'rss=', '-p', p]).toString().trim() || 0), 0);
}

/** CPU time (user + system, ms) of a node's processes: on a shared machine, what a change costs where wall time varies. */
function cpuMs(pid) {
  let children = [];
  try { children = execFileSync('ps', ['-o', 'pid=', '--ppid', String(pid)]).toString().trim().split(/\s+/).filter(Boolean); } catch { /* none */ }
  let ticks = 0;
  for (const p of [String(pid), ...children]) {
    try {
      const fields = readFileSync(`/proc/${p}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* gone, or not Linux */ }
  }
  return ticks * 10;
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-hybrid-'));
  execFileSync(process.execPath, [BIN, 'cluster', 'cert', '--cert', join(dir, 'cluster.crt'), '--key', join(dir, 'cluster.key')]);
  const cert = (await import('node:fs')).readFileSync(join(dir, 'cluster.crt'), 'utf8');
  const key = (await import('node:fs')).readFileSync(join(dir, 'cluster.key'), 'utf8');
  const tls = { cluster_cert: join(dir, 'cluster.crt'), cluster_cert_key: join(dir, 'cluster.key') };

  const upstream = createServer((req, res) => res.end('ok'));
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));
  const upstreamPort = upstream.address().port;

  const cpPrefix = mkdtempSync(join(dir, 'cp-'));
  const cp = await start({ role: 'control_plane', admin_listen: '127.0.0.1:0', cluster_listen: '127.0.0.1:0', status_listen: '127.0.0.1:0', ...tls }, cpPrefix);
  const admin = `http://127.0.0.1:${cp.ports.admin_listen}`;
  const clusterPort = cp.ports.cluster_listen;

  // load: one service, ROUTES routes, 16 writes in flight
  let t0 = Date.now();
  await http('PUT', `${admin}/services/bench`, { url: `http://127.0.0.1:${upstreamPort}` });
  let next = 0;
  await Promise.all(Array.from({ length: 16 }, async () => {
    while (next < ROUTES) {
      const i = next++;
      const r = await http('POST', `${admin}/services/bench/routes`, { name: `r${i}`, paths: [`/r${i}`] });
      if (r.status !== 201) throw new Error(`route ${i}: ${r.status} ${r.text}`);
    }
  }));
  console.log(`loaded ${ROUTES} routes through the Admin API in ${Date.now() - t0} ms`);

  t0 = Date.now();
  const dps = await Promise.all([0, 1, 2].map(() => start({
    role: 'data_plane', database: 'off', proxy_listen: '127.0.0.1:0', status_listen: '127.0.0.1:0', worker_processes: '1',
    cluster_control_plane: `127.0.0.1:${clusterPort}`, ...tls,
  }, mkdtempSync(join(dir, 'dp-')))));
  const answers = (dp, path) => http('GET', `http://127.0.0.1:${dp.ports.proxy_listen}${path}`).then((r) => r.status === 200, () => false);
  for (;;) {
    const ok = await Promise.all(dps.map((dp) => answers(dp, `/r${ROUTES - 1}`)));
    if (ok.every(Boolean)) break;
    await new Promise((r) => setTimeout(r, 20));
  }
  console.log(`3 data planes started and serving the ${ROUTES}-route config in ${Date.now() - t0} ms`);

  // a passive puller: records what one data plane receives per change
  const wire = [];
  let held = '';
  let fullBytes = 0;
  let watching = true;
  const pull = () => new Promise((res, rej) => {
    const q = new URLSearchParams({ node_id: '0b0b0b0b-0000-4000-8000-000000000001', node_version: '0.1.0', node_hostname: 'bench', config_hash: held, wait: '30000', plugins: 'bundled' });
    const req = httpsRequest({ host: '127.0.0.1', port: clusterPort, path: `/v1/config?${q}`, servername: 'kong_clustering', ca: cert, cert, key, agent: false, headers: { 'accept-encoding': 'br' } }, (r) => {
      const chunks = [];
      r.on('data', (c) => chunks.push(c));
      r.on('end', () => res({ status: r.statusCode, headers: r.headers, raw: Buffer.concat(chunks) }));
    });
    req.on('error', rej);
    req.end();
  });
  const first = await pull();
  fullBytes = first.raw.length;
  held = first.headers['x-tollgate-config-hash'];
  const watcher = (async () => {
    while (watching) {
      const r = await pull().catch(() => null);
      if (!r || r.status !== 200) continue;
      const payload = JSON.parse(brotliDecompressSync(r.raw).toString());
      wire.push({ type: payload.type, bytes: r.raw.length, headerBytes: Object.entries(r.headers).reduce((n, [k, v]) => n + k.length + String(v).length + 4, 0) });
      held = payload.hash;
    }
  })();

  const latencies = [];
  const warmup = [];
  let cpuBefore = null;
  let changesStarted = 0;
  for (let c = -WARMUP; c < CHANGES; c++) {
    if (c === 0) {
      cpuBefore = [cp, ...dps].map((n) => cpuMs(n.child.pid));
      changesStarted = performance.now();
    }
    const path = `/change${c}x`; // no route path is a prefix of another
    const r = await http('POST', `${admin}/services/bench/routes`, { name: `change${c}`, paths: [path] });
    if (r.status !== 201) throw new Error(`change ${c}: ${r.status}`);
    const t = performance.now();
    const pending = new Set(dps);
    while (pending.size) {
      await Promise.all([...pending].map(async (dp) => { if (await answers(dp, path)) pending.delete(dp); }));
      if (pending.size && POLL_MS > 0) await new Promise((r) => setTimeout(r, POLL_MS));
    }
    (c < 0 ? warmup : latencies).push(performance.now() - t);
  }
  watching = false;
  // includes answering this benchmark's probes (404s until the route arrives)
  const changesMs = performance.now() - changesStarted;
  const cpuPerChange = [cp, ...dps].map((n, i) => +((cpuMs(n.child.pid) - cpuBefore[i]) / CHANGES).toFixed(1));
  // which changes were slow tells a one-off (JIT warm-up, a cache write, a GC) from a steady cost
  const slowest = latencies.map((ms, c) => ({ change: c, ms: +ms.toFixed(1) })).sort((a, b) => b.ms - a.ms).slice(0, 5);
  latencies.sort((a, b) => a - b);
  const deltas = wire.filter((w) => w.type === 'delta');
  const avgDelta = deltas.reduce((n, w) => n + w.bytes, 0) / Math.max(1, deltas.length);
  const rss = dps.map((dp) => rssKiB(dp.child.pid));

  console.log(JSON.stringify({
    routes: ROUTES,
    changes: CHANGES,
    probe_pause_ms: POLL_MS,
    warmup_changes_ms: warmup.map((ms) => +ms.toFixed(1)),
    propagation_ms_all_three: { p50: +pct(latencies, 50).toFixed(1), p99: +pct(latencies, 99).toFixed(1), max: +latencies[latencies.length - 1].toFixed(1) },
    changes_wall_ms: Math.round(changesMs),
    cpu_ms_per_change: { cp: cpuPerChange[0], dps: cpuPerChange.slice(1) },
    load_average: (await import('node:os')).loadavg().map((l) => +l.toFixed(2)),
    slowest_changes: slowest.map((s) => `#${s.change}: ${s.ms} ms`).join(', '),
    wire_bytes: { full_snapshot_br: fullBytes, per_one_route_change_br_body: Math.round(avgDelta), deltas_seen: deltas.length, full_seen_after_start: wire.length - deltas.length },
    dp_rss_mib: rss.map((k) => +(k / 1024).toFixed(1)),
    cp_rss_mib: +(rssKiB(cp.child.pid) / 1024).toFixed(1),
  }, null, 2));

  for (const n of [...dps, cp]) n.child.kill('SIGTERM');
  upstream.close();
  agent.destroy();
  setTimeout(() => process.exit(0), 2000).unref();
  void watcher;
}

main().catch((err) => { console.error(err); process.exit(1); });
