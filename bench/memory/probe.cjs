// Bench-only preload (NODE_OPTIONS=--require …/probe.cjs, inherited by the node's workers): lets bench/memory/run.mjs
// ask every Tollgate process for its memory figures and a heap snapshot without an inspector or a signal (SIGUSR1/2
// belong to the gateway). The runner writes PROBE_DIR/request.json {seq, snapshot}; each process answers once per
// seq with PROBE_DIR/<pid>-<seq>.json (after a full GC) and, when asked, PROBE_DIR/<pid>-<seq>.heapsnapshot.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const v8 = require('node:v8');

function rollup() {
  try {
    const text = fs.readFileSync('/proc/self/smaps_rollup', 'utf8');
    const kib = (k) => Number((text.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
    return { Pss: kib('Pss'), Pss_Anon: kib('Pss_Anon'), Pss_File: kib('Pss_File') };
  } catch { return null; }
}

/**
 * Resident KiB per kind of mapping (/proc/self/smaps): the node binary's file pages (shared between the processes,
 * counted in each one's RSS), other files (shared libraries), glibc's main malloc heap ([heap], brk), other
 * anonymous mappings (V8's heap pages, malloc's thread arenas and large allocations, thread stacks).
 */
function mappings() {
  const out = { binary: { rss: 0, pss: 0 }, files: { rss: 0, pss: 0 }, brk: { rss: 0, pss: 0 }, anon: { rss: 0, pss: 0 } };
  let text;
  try { text = fs.readFileSync('/proc/self/smaps', 'utf8'); } catch { return null; }
  let cur = null;
  for (const line of text.split('\n')) {
    const head = line.match(/^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \d+\s*(.*)$/);
    if (head) {
      const name = head[1];
      cur = name === process.execPath ? out.binary : name === '[heap]' ? out.brk : name.startsWith('/') ? out.files : out.anon;
      continue;
    }
    const kv = line.match(/^(Rss|Pss):\s+(\d+) kB/);
    if (kv && cur) cur[kv[1].toLowerCase()] += Number(kv[2]);
  }
  return out;
}

/** Loaded CommonJS modules per package (node_modules/<pkg>) or per first-party top folder. */
function packages() {
  const counts = {};
  for (const file of Object.keys(require.cache)) {
    const m = file.match(/node_modules\/((?:@[^/]+\/)?[^/]+)/) || file.match(/dist\/((?:apps|libs)\/[^/]+)/);
    const key = m ? m[1] : 'other';
    counts[key] = (counts[key] || 0) + 1;
  }
  return counts;
}

// experiments: V8 flags for both processes that NODE_OPTIONS does not accept (e.g. --no-opt), set at preload
if (process.env.BENCH_MEMORY_V8_FLAGS) v8.setFlagsFromString(process.env.BENCH_MEMORY_V8_FLAGS);

// GC work between two reports (what a smaller young generation costs: more, shorter scavenges), by kind
const { PerformanceObserver, constants: perf } = require('node:perf_hooks');
let gcs = { minor: [0, 0], major: [0, 0] };
let probing = false; // the probe's own forced GCs are not counted
if (process.env.BENCH_MEMORY_PROBE_DIR) {
  new PerformanceObserver((list) => {
    if (probing) return;
    for (const e of list.getEntries()) {
      const g = e.detail && e.detail.kind === perf.NODE_PERFORMANCE_GC_MINOR ? gcs.minor : gcs.major;
      g[0] += 1;
      g[1] += e.duration;
    }
  }).observe({ entryTypes: ['gc'] });
}

const SETTLE_MS = 1500;
const dir = process.env.BENCH_MEMORY_PROBE_DIR;
if (dir) {
  let seen = 0;
  const timer = setInterval(() => {
    let req;
    try { req = JSON.parse(fs.readFileSync(path.join(dir, 'request.json'), 'utf8')); } catch { return; }
    if (req.seq === seen) return;
    seen = req.seq;
    const out = path.join(dir, `${process.pid}-${req.seq}`);
    // a snapshot grows the process by its own size: it is written only after the figures were taken (a later seq)
    if (req.snapshot) { v8.writeHeapSnapshot(`${out}.heapsnapshot`); fs.writeFileSync(`${out}.json`, '{}'); return; }
    const gcSince = gcs;
    gcs = { minor: [0, 0], major: [0, 0] };
    probing = true;
    if (typeof global.gc === 'function' && req.gc !== false) { global.gc(); global.gc(); }
    // what a process does after a major GC of V8's own (the node's malloc trim, apps/cli/src/supervisor/malloc-trim)
    // runs before the figures are read, as it would between any two reads of /proc by an operator
    setTimeout(() => { probing = false; report(out, gcSince); }, req.gc === false ? 0 : SETTLE_MS).unref();
  }, 200);
  timer.unref();
}

function report(out, gcSince) {
  const status = fs.readFileSync('/proc/self/status', 'utf8');
  const kib = (k) => Number((status.match(new RegExp(`^${k}:\\s+(\\d+)`, 'm')) || [])[1] || 0);
  const report = {
    pid: process.pid, ppid: process.ppid, worker: !!process.env.NODE_UNIQUE_ID,
    usage: process.memoryUsage(),
    proc_kib: { VmRSS: kib('VmRSS'), RssAnon: kib('RssAnon'), RssFile: kib('RssFile'), RssShmem: kib('RssShmem') },
    spaces: v8.getHeapSpaceStatistics().map((s) => ({ name: s.space_name, used: s.space_used_size, size: s.space_size })),
    code: v8.getHeapCodeStatistics(),
    // proportional set size: file pages shared with the other process (the node binary) counted once in the sum
    pss_kib: rollup(),
    mappings_kib: mappings(),
    modules: Object.keys(require.cache).length,
  gc_since_last: gcSince,
    packages: packages(),
  };
  fs.writeFileSync(`${out}.json.tmp`, JSON.stringify(report));
  fs.renameSync(`${out}.json.tmp`, `${out}.json`);
}
