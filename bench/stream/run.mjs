// Stream (L4) bulk-transfer benchmark: direct vs through Tollgate (vs nginx `stream` when nginx has the module).
// One command: `node bench/stream/run.mjs` (no build needed; TypeScript is loaded through @swc/core).
// Each mode: 1 connection sending TOTAL_MB, and 50 connections sharing TOTAL_MB; then 300 sequential connects for
// connect latency (time to the first byte answered by the sink: through a proxy this includes its upstream connect).
// Modes run interleaved for ROUNDS rounds (default 3) and each figure is the median, so that other load on the
// machine hits every mode alike; the proxy's CPU per MB (user+system over all rounds) is the steadier figure.
// Everything on 127.0.0.1, bounded in size and time.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '../..');
const TOTAL_MB = Number(process.env.TOTAL_MB ?? 1024);
const ROUNDS = Number(process.env.ROUNDS ?? 3);
const block = Buffer.alloc(256 * 1024, 7);

// Sink: swallows uploads, answers one byte to each connection (for connect latency) on the first data.
const sink = createServer((s) => { s.once('data', () => s.write('k')); s.on('data', () => {}); s.on('error', () => {}); s.on('end', () => s.end()); });
await new Promise((r) => sink.listen(0, '127.0.0.1', r));
const sinkPort = sink.address().port;

function lineFrom(child, prefix) {
  return new Promise((resolve, reject) => {
    let buf = '';
    child.stdout.on('data', (c) => {
      buf += c;
      const line = buf.split('\n').find((l) => l.startsWith(prefix));
      if (line) resolve(line.slice(prefix.length + 1));
    });
    child.once('exit', (code) => reject(new Error(`child exited ${code}`)));
  });
}

function upload(port, bytes) {
  return new Promise((resolve, reject) => {
    const s = connect({ port, host: '127.0.0.1' }, () => {
      let sent = 0;
      const pump = () => {
        while (sent < bytes) {
          sent += block.length;
          if (!s.write(block)) return void s.once('drain', pump);
        }
        s.end();
      };
      pump();
    });
    s.on('data', () => {});
    s.on('close', resolve);
    s.on('error', reject);
  });
}

async function throughput(port, conns) {
  const per = Math.floor((TOTAL_MB * 1024 * 1024) / conns);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: conns }, () => upload(port, per)));
  const secs = (performance.now() - t0) / 1000;
  return (per * conns) / 1024 / 1024 / secs;
}

async function connectP99(port, n = 300) {
  const times = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    await new Promise((resolve, reject) => {
      const s = connect({ port, host: '127.0.0.1' }, () => s.write('x'));
      s.once('data', () => { times.push(performance.now() - t0); s.destroy(); resolve(); });
      s.on('error', reject);
    });
  }
  times.sort((a, b) => a - b);
  return { p50: times[Math.floor(n * 0.5)], p99: times[Math.floor(n * 0.99)] };
}

const median = (values) => values.slice().sort((a, b) => a - b)[Math.floor(values.length / 2)];

async function measureOnce(port) {
  const one = await throughput(port, 1);
  const fifty = await throughput(port, 50);
  const { p50, p99 } = await connectP99(port);
  return { one, fifty, p50, p99 };
}

const modes = [{ name: 'direct', port: sinkPort, cpuOf: null }];

const proxy = spawn(process.execPath, ['-r', join(root, 'tools/ts-register.js'), join(here, 'proxy.ts'), String(sinkPort)], { cwd: root, stdio: ['pipe', 'pipe', 'inherit'] });
const proxyPort = Number(await lineFrom(proxy, 'READY'));
modes.push({ name: 'tollgate', port: proxyPort, cpuOf: async () => { proxy.stdin.end(); return Number(await lineFrom(proxy, 'CPU')); } });

const nginx = spawnSync('sh', ['-c', 'command -v nginx && ls /usr/lib/nginx/modules/ngx_stream_module.so'], { encoding: 'utf8' });
if (nginx.status === 0) {
  const dir = mkdtempSync(join(tmpdir(), 'tg-nginx-'));
  const port = 20000 + Math.floor(Math.random() * 20000);
  writeFileSync(join(dir, 'nginx.conf'), `load_module /usr/lib/nginx/modules/ngx_stream_module.so;
worker_processes 1; daemon off; pid ${dir}/nginx.pid; error_log ${dir}/error.log;
events { worker_connections 1024; }
stream { server { listen 127.0.0.1:${port}; proxy_pass 127.0.0.1:${sinkPort}; } }
`);
  const ng = spawn('nginx', ['-p', dir, '-c', join(dir, 'nginx.conf')], { stdio: 'ignore' });
  for (let i = 0; i < 100; i++) {
    const ok = await new Promise((r) => { const s = connect({ port, host: '127.0.0.1' }, () => { s.destroy(); r(true); }); s.on('error', () => r(false)); });
    if (ok) break;
    await new Promise((r) => setTimeout(r, 50));
  }
  modes.push({ name: 'nginx stream (1 worker)', port, cpuOf: null, stop: () => ng.kill('SIGTERM') });
}

const runs = new Map(modes.map((m) => [m.name, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const mode of modes) runs.get(mode.name).push(await measureOnce(mode.port));
}
const results = [];
for (const mode of modes) {
  const all = runs.get(mode.name);
  const pick = (key) => median(all.map((r) => r[key]));
  const cpuMicros = mode.cpuOf ? await mode.cpuOf() : null;
  mode.stop?.();
  results.push({
    name: mode.name,
    one: pick('one'),
    fifty: pick('fifty'),
    p50: pick('p50'),
    p99: pick('p99'),
    cpuPerMb: cpuMicros === null ? null : cpuMicros / (2 * TOTAL_MB * ROUNDS),
  });
}
sink.close();

const direct = results[0];
console.log(`stream bulk transfer, ${TOTAL_MB} MB per run, ${ROUNDS} interleaved rounds (medians), 127.0.0.1`);
for (const r of results) {
  console.log([
    r.name.padEnd(24),
    `1 conn ${r.one.toFixed(0)} MB/s (${(r.one / direct.one).toFixed(2)}x direct)`,
    `50 conns ${r.fifty.toFixed(0)} MB/s (${(r.fifty / direct.fifty).toFixed(2)}x direct)`,
    `connect p50 ${r.p50.toFixed(2)} / p99 ${r.p99.toFixed(2)} ms`,
    r.cpuPerMb === null ? '' : `CPU ${r.cpuPerMb.toFixed(0)} µs/MB`,
  ].join(' | '));
}
process.exit(0);
