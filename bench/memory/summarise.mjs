// Summarises a V8 .heapsnapshot: self size grouped by node type and constructor/closure name, the largest single
// strings (a kept raw config shows up here) and the totals per node type. Usage: node summarise.mjs FILE [top]
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const mib = (b) => (b / 1048576).toFixed(2);

export function summarise(file, top = 25) {
  const snap = JSON.parse(readFileSync(file, 'utf8'));
  const { node_fields: fields, node_types: [types] } = snap.snapshot.meta;
  const width = fields.length;
  const [T, N, S] = ['type', 'name', 'self_size'].map((f) => fields.indexOf(f));
  const { nodes, strings } = snap;
  const byType = new Map();
  const byName = new Map();
  const bigStrings = [];
  let total = 0;
  for (let i = 0; i < nodes.length; i += width) {
    const type = types[nodes[i + T]];
    const size = nodes[i + S];
    total += size;
    byType.set(type, (byType.get(type) ?? 0) + size);
    const name = strings[nodes[i + N]];
    // strings are grouped as one bucket; objects and closures by their constructor/function name
    const key = type === 'string' || type === 'concatenated string' || type === 'sliced string' ? `(${type})`
      : type === 'object' || type === 'closure' || type === 'native' || type === 'hidden' || type === 'array' || type === 'code'
        ? `${type}: ${name.slice(0, 60)}` : `(${type})`;
    const g = byName.get(key) ?? { size: 0, count: 0 };
    g.size += size; g.count += 1;
    byName.set(key, g);
    if (type === 'string' && size > 100_000) bigStrings.push({ size, head: name.slice(0, 70).replace(/\s+/g, ' ') });
  }
  console.log(`  self size total ${mib(total)} MiB, ${nodes.length / width} nodes`);
  console.log(`  by type: ${[...byType].sort((a, b) => b[1] - a[1]).slice(0, 8).map(([t, s]) => `${t} ${mib(s)}`).join(', ')} (MiB)`);
  console.log('  top groups (self size):');
  for (const [k, g] of [...byName].sort((a, b) => b[1].size - a[1].size).slice(0, top)) {
    console.log(`    ${mib(g.size).padStart(8)} MiB  ${String(g.count).padStart(8)}×  ${k}`);
  }
  if (bigStrings.length) {
    console.log('  strings over 100 kB:');
    for (const s of bigStrings.sort((a, b) => b.size - a.size).slice(0, 8)) console.log(`    ${mib(s.size).padStart(8)} MiB  ${JSON.stringify(s.head)}`);
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) summarise(process.argv[2], Number(process.argv[3] ?? 25));
