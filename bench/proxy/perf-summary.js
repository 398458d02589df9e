// Summarises `perf script -F ip,sym,dso` output of a proxy under load (perf record -g, node --perf-basic-prof):
// the kernel / native / JIT split of all samples, then the user-space samples charged to the innermost JS function
// on their stack (the builtins and C++ it called included), top N. V8's own profiler charges a blocking write's
// kernel time to the JS function that made it; this view keeps the kernel apart, so what is left is the proxy's
// own work. Usage: perf script ... | node perf-summary.js [top N]
const readline = require('node:readline');

const top = Number(process.argv[2] ?? 30);
const byDso = new Map();
const byFunction = new Map();
let samples = 0;
let user = 0;
let stack = [];

function shortName(sym) {
  return sym.replace(/\/[^ ]*\/(apps|libs|node_modules)\//, '$1/');
}

function charge() {
  if (stack.length === 0) return;
  samples++;
  const [leafSym, leafDso] = stack[0];
  const dso = leafDso.includes('kernel') ? 'kernel' : leafDso.startsWith('/tmp/perf-') ? 'JIT (JS)' : leafDso.replace(/^.*\//, '');
  byDso.set(dso, (byDso.get(dso) ?? 0) + 1);
  if (dso === 'kernel') return;
  user++;
  const js = stack.find(([sym]) => sym.startsWith('JS:') || sym.startsWith('RegExp:'));
  let key;
  if (js !== undefined) key = shortName(js[0]);
  else if (stack.some(([sym]) => /Scavenge|Heap::|MarkCompact|Sweeper|ConcurrentMarking/.test(sym))) key = '(garbage collection)';
  else if (stack.some(([sym]) => /llhttp|Parser::/.test(sym))) key = '(llhttp, Node\'s request parser binding)';
  else if (stack.some(([sym]) => /OnUvRead|uv__read/.test(sym))) key = '(socket reads, libuv and Node)';
  else if (stack.some(([sym]) => /compiler::|Compile/.test(sym))) key = '(JIT compilation)';
  else key = `(native: ${leafSym.slice(0, 60)})`;
  byFunction.set(key, (byFunction.get(key) ?? 0) + 1);
}

const lines = readline.createInterface({ input: process.stdin });
lines.on('line', (line) => {
  if (line.trim() === '') {
    charge();
    stack = [];
    return;
  }
  const m = /^\s*[0-9a-f]+ (.*) \((.*)\)$/.exec(line);
  if (m !== null) stack.push([m[1], m[2]]);
});
lines.on('close', () => {
  charge();
  const pct = (n) => `${((n / samples) * 100).toFixed(1).padStart(5)}%`;
  console.log(`\nperf profile: ${samples} samples (cpu-clock), by where they landed:`);
  for (const [dso, n] of [...byDso].sort((a, b) => b[1] - a[1])) console.log(`${pct(n)}  ${dso}`);
  console.log(`\nuser-space samples (${pct(user).trim()} of all) by the innermost JS function on the stack, top ${top}:`);
  for (const [key, n] of [...byFunction].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${pct(n)}  ${key}`);
});
