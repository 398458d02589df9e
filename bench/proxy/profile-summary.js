// Prints where a .cpuprofile spends its time: self time by function, top 25.
const fs = require('node:fs');
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const dt = new Map();
for (let i = 0; i < profile.samples.length; i++) dt.set(profile.samples[i], (dt.get(profile.samples[i]) || 0) + (profile.timeDeltas[i] || 0));
const self = new Map();
let total = 0;
for (const node of profile.nodes) {
  const t = dt.get(node.id) || 0;
  total += t;
  const f = node.callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|apps|libs|node:)/, '$1')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) || 0) + t);
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
console.log(`\nCPU profile (self time, ${(total / 1e6).toFixed(2)} s sampled):`);
for (const [k, t] of rows) console.log(`${((t / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
