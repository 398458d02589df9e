// Data-plane memory benchmark (issue 11, part 5): a real `tollgate start` node with role = data_plane, fed ROUTES
// routes by a control plane on loopback, measured as a user runs it. Prints the RSS of the supervisor and of the
// one worker apart (from /proc: anonymous vs file-backed pages), their V8 heap, and the total against the 150 MB
// target, after the config compiled and again after a short wrk load. The RSS sum counts the node binary's pages
// (~40 MiB, shared) once per process; the PSS line counts them once. Each process's RSS is also split by mapping
// (node binary, libraries, malloc's brk heap, other anonymous memory beside V8's committed heap and young
// generation), and the load line gives the worker's CPU and GC pause time per request, what the memory settings
// cost the proxy (GC pauses are wall time: on a loaded machine they stretch). Runs differ by about ±2 MiB. With
// --snapshot, each data-plane process also writes a heap snapshot and the runner prints what dominates it
// (bench/memory/summarise.mjs).
// With --stream the node also has a stream listener (stream_listen), whose workers take the larger young generation
// (apps/cli/src/supervisor/workers.ts STREAM_WORKER_SEMI_SPACE_MB): the RSS such a node pays for it, under the same
// HTTP load (the young generation is sized once, whatever the traffic).
// Needs `npm run build` and wrk. Usage: node bench/memory/run.mjs [routes] [--snapshot] [--stream] [--seconds N] [--hold]
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { createServer, request as httpRequest, Agent } from 'node:http';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { summarise } from './summarise.mjs';

// BENCH_ROOT: measure another checkout's build (e.g. the commit before a change) with this same runner
const ROOT = process.env.BENCH_ROOT ?? resolve(import.meta.dirname, '..', '..');
const BIN = join(ROOT, 'bin', 'tollgate.js');
const args = process.argv.slice(2);
const ROUTES = Number(args.find((a, i) => /^\d+$/.test(a) && args[i - 1] !== '--seconds') ?? 10_000);
const SNAPSHOT = args.includes('--snapshot');
const HOLD = args.includes('--hold');
const STREAM = args.includes('--stream'); // keep the nodes running after the figures (for /proc inspection) until SIGINT
const SECONDS = Number(args[args.indexOf('--seconds') + 1] || 0) || 10;
const TARGET_MB = 150; // issue 11: supervisor + one worker, in MB (10^6 bytes)
const agent = new Agent({ keepAlive: true });

const get = (url) => new Promise((res) => {
  const req = httpRequest(url, { agent }, (r) => { r.resume(); r.on('end', () => res(r.statusCode)); });
  req.on('error', () => res(0));
  req.end();
});
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function start(conf, prefix, env = {}) {
  const file = join(prefix, 'tollgate.conf');
  writeFileSync(file, Object.entries({ prefix, log_level: 'notice', ...conf }).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  const child = spawn(process.execPath, [BIN, 'start', '-c', file, '-p', prefix], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
  const ports = {};
  return new Promise((res, rej) => {
    let buf = '';
    const logs = [];
    const onData = (c) => {
      buf += c;
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        const line = buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        logs.push(line);
        try {
          const j = JSON.parse(line);
          if (j.key && j.port) ports[j.key] ??= j.port;
          if (String(j.msg).startsWith('tollgate started')) res({ child, ports, prefix });
        } catch { /* not JSON */ }
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('exit', (code) => rej(new Error(`exited ${code}\n${logs.slice(-20).join('\n')}`)));
  });
}

/** Asks every probed process (bench/memory/probe.cjs) for its figures; resolves with one report per pid. */
let seq = 0;
async function probe(dir, pids, snapshot) {
  seq += 1;
  writeFileSync(join(dir, 'request.json'), JSON.stringify({ seq, snapshot }));
  const want = pids.map((p) => join(dir, `${p}-${seq}.json`));
  for (let i = 0; i < 1200 && !want.every(existsSync); i++) await sleep(100);
  return Object.fromEntries(pids.map((p, i) => [p, JSON.parse(readFileSync(want[i], 'utf8'))]));
}

const mib = (bytes) => (bytes / 1048576).toFixed(1);
function table(label, reports, supervisorPid) {
  const rows = Object.values(reports).sort((a) => (a.pid === supervisorPid ? -1 : 1));
  console.log(`\n${label}`);
  console.log('process      rss MiB  anon MiB  file MiB  pss MiB  heapUsed  heapTotal  external  arrayBuf  code+meta  modules');
  let total = 0;
  let pss = 0;
  for (const r of rows) {
    total += r.proc_kib.VmRSS * 1024;
    pss += (r.pss_kib?.Pss ?? 0) * 1024;
    const code = r.code.code_and_metadata_size + r.code.bytecode_and_metadata_size;
    console.log([
      (r.pid === supervisorPid ? 'supervisor' : 'worker').padEnd(10),
      mib(r.proc_kib.VmRSS * 1024).padStart(9), mib(r.proc_kib.RssAnon * 1024).padStart(9), mib(r.proc_kib.RssFile * 1024).padStart(9),
      mib((r.pss_kib?.Pss ?? 0) * 1024).padStart(8),
      mib(r.usage.heapUsed).padStart(9), mib(r.usage.heapTotal).padStart(10), mib(r.usage.external).padStart(9),
      mib(r.usage.arrayBuffers).padStart(9), mib(code).padStart(10), String(r.modules).padStart(8),
    ].join(' '));
  }
  const mb = total / 1e6;
  console.log(`total ${mib(total)} MiB = ${mb.toFixed(1)} MB; target ${TARGET_MB} MB: ${(mb / TARGET_MB).toFixed(2)}× (${mb <= TARGET_MB ? 'met' : 'NOT met'})`);
  console.log(`  (pss, shared pages such as the node binary counted once: ${mib(pss)} MiB = ${(pss / 1e6).toFixed(1)} MB)`);
  // what each process's RSS is made of (bench/memory/probe.cjs mappings()); V8 heap = committed spaces, resident
  // in the anonymous mappings, the rest of those being malloc (arenas, large blocks), stacks and V8's code range
  for (const r of rows) {
    const m = r.mappings_kib;
    if (!m) continue;
    const v8 = r.spaces.reduce((n, s) => n + s.size, 0);
    const young = r.spaces.filter((s) => s.name === 'new_space' || s.name === 'new_large_object_space').reduce((n, s) => n + s.size, 0);
    console.log(`  ${(r.pid === supervisorPid ? 'supervisor' : 'worker').padEnd(10)} rss = node binary ${mib(m.binary.rss * 1024)} (pss ${mib(m.binary.pss * 1024)})`
      + ` + libs ${mib(m.files.rss * 1024)} + malloc brk heap ${mib(m.brk.rss * 1024)} + other anon ${mib(m.anon.rss * 1024)}`
      + ` [V8 heap committed ${mib(v8)}, of it young gen ${mib(young)}; V8 used ${mib(r.usage.heapUsed)}]`);
  }
  for (const r of rows) {
    const top = Object.entries(r.packages).sort((a, b) => b[1] - a[1]).slice(0, 12).map(([k, n]) => `${k} ${n}`).join(', ');
    console.log(`  ${r.pid === supervisorPid ? 'supervisor' : 'worker'} modules by package: ${top}`);
  }
  return total;
}

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-bench-memory-'));
  const probeDir = mkdtempSync(join(dir, 'probe-'));
  execFileSync(process.execPath, [BIN, 'cluster', 'cert', '--cert', join(dir, 'cluster.crt'), '--key', join(dir, 'cluster.key')]);
  const tls = { cluster_cert: join(dir, 'cluster.crt'), cluster_cert_key: join(dir, 'cluster.key') };

  const upstream = createServer((req, res) => res.end('ok'));
  await new Promise((r) => upstream.listen(0, '127.0.0.1', r));

  // the control plane: SQLite, loaded from a declarative file (as bench/proxy/serve.ts shapes routes)
  const cpPrefix = mkdtempSync(join(dir, 'cp-'));
  const decl = join(dir, 'routes.json');
  writeFileSync(decl, JSON.stringify({
    _format_version: '3.0',
    services: [{ name: 'bench', url: `http://127.0.0.1:${upstream.address().port}`,
      routes: Array.from({ length: ROUTES }, (_, i) => ({ name: `r${i}`, paths: [`/api/v1/r${i}`] })) }],
  }));
  const cpConf = { role: 'control_plane', admin_listen: '127.0.0.1:0', cluster_listen: '127.0.0.1:0', status_listen: '127.0.0.1:0', ...tls };
  writeFileSync(join(cpPrefix, 'tollgate.conf'), Object.entries({ prefix: cpPrefix, ...cpConf }).map(([k, v]) => `${k} = ${v}`).join('\n') + '\n');
  execFileSync(process.execPath, [BIN, 'config', 'db_import', decl, '-c', join(cpPrefix, 'tollgate.conf'), '-p', cpPrefix], { stdio: 'inherit' });
  const cp = await start(cpConf, cpPrefix);

  const t0 = Date.now();
  const dp = await start({
    role: 'data_plane', database: 'off', proxy_listen: '127.0.0.1:0', status_listen: '127.0.0.1:0', worker_processes: '1',
    cluster_control_plane: `127.0.0.1:${cp.ports.cluster_listen}`, ...tls, ...(STREAM ? { stream_listen: '127.0.0.1:0' } : {}),
  }, mkdtempSync(join(dir, 'dp-')), {
    BENCH_MEMORY_PROBE_DIR: probeDir,
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --expose-gc --require ${join(import.meta.dirname, 'probe.cjs')}`,
  });
  const proxy = `http://127.0.0.1:${dp.ports.proxy_listen}`;
  while ((await get(`${proxy}/api/v1/r${ROUTES - 1}`)) !== 200) await sleep(50);
  console.log(`${ROUTES} routes${STREAM ? ', and a stream listener' : ''}: data plane serving ${Date.now() - t0} ms after start`);
  const supervisor = dp.child.pid;
  const worker = execFileSync('ps', ['-o', 'pid=', '--ppid', String(supervisor)]).toString().trim().split(/\s+/).map(Number);
  const pids = [supervisor, ...worker];

  const compiled = await probe(probeDir, pids, false);
  const before = table('after compile (full GC first)', compiled, supervisor);

  // short load over every 97th route, so the router's lookups see many paths
  const lua = join(dir, 'paths.lua');
  writeFileSync(lua, `local i = 0\nrequest = function() i = (i + 97) % ${ROUTES}; return wrk.format("GET", "/api/v1/r" .. i) end\n`);
  // the worker's CPU per request (utime + stime, every thread) shows what the memory settings cost the proxy
  const ticks = (pid) => readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ').slice(11, 13).reduce((a, b) => a + Number(b), 0);
  const cpu0 = worker.map(ticks);
  // not execFileSync: the upstream answers from this process's event loop
  const wrk = await new Promise((res, rej) => {
    const child = spawn('wrk', ['-t1', '-c50', `-d${SECONDS}s`, '-s', lua, `${proxy}/`]);
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    child.on('error', rej);
    child.on('close', () => res(out));
  });
  const cpuTicks = worker.reduce((n, pid, i) => n + ticks(pid) - cpu0[i], 0);
  const requests = Number((wrk.match(/(\d+) requests in/) ?? [0, 0])[1]);
  const clk = Number(execFileSync('getconf', ['CLK_TCK']).toString().trim());
  const cpuPerRequest = requests ? (cpuTicks / clk) * 1e6 / requests : 0;
  console.log(`\nwrk -t1 -c50 -d${SECONDS}s: ${(wrk.match(/Requests\/sec:\s+\S+/) ?? ['?'])[0]}, worker CPU ${cpuPerRequest.toFixed(1)} µs/request${/Non-2xx|errors/.test(wrk) ? `\n${wrk}` : ''}`);
  const loaded = await probe(probeDir, pids, false);
  // the gc entries are delivered after the load, by then counted by the probe (which leaves out its own)
  const gcs = loaded[worker[0]].gc_since_last;
  console.log(`worker GC during the load: ${gcs.minor[0]} scavenges ${gcs.minor[1].toFixed(0)} ms, ${gcs.major[0]} mark-compacts ${gcs.major[1].toFixed(0)} ms (${((gcs.minor[1] + gcs.major[1]) * 1000 / requests).toFixed(2)} µs/request)`);
  const after = table('after load (full GC first)', loaded, supervisor);
  if (SNAPSHOT) await probe(probeDir, pids, true);

  if (SNAPSHOT) {
    for (const pid of pids) {
      const file = readdirSync(probeDir).find((f) => f.startsWith(`${pid}-${seq}.heapsnapshot`));
      console.log(`\nheap snapshot of the ${pid === supervisor ? 'supervisor' : 'worker'} (${join(probeDir, file)})`);
      summarise(join(probeDir, file));
    }
  }
  console.log(JSON.stringify({ routes: ROUTES, total_mb_after_compile: +(before / 1e6).toFixed(1), total_mb_after_load: +(after / 1e6).toFixed(1), target_mb: TARGET_MB, worker_cpu_us_per_request: +cpuPerRequest.toFixed(1), worker_gc_us_per_request: +((gcs.minor[1] + gcs.major[1]) * 1000 / requests).toFixed(2) }));

  if (HOLD) {
    console.log(`holding: supervisor ${supervisor}, worker ${worker.join(' ')}; SIGINT ends`);
    await new Promise((r) => process.once('SIGINT', r));
  }
  for (const n of [dp, cp]) n.child.kill('SIGTERM');
  upstream.close();
  agent.destroy();
  setTimeout(() => process.exit(0), 2000).unref();
}

main().catch((err) => { console.error(err); process.exit(1); });
