// Prints where a .cpuprofile spends its time under load: self time by function, top 25.
// Usage: node profile-summary.js <file.cpuprofile> [skip seconds]
// Only samples from the first one inside a proxied request (onProxyRequest) on count, plus `skip` seconds of
// warm-up after it: start-up (module loading, the bench's RSA key) would otherwise rank among the hot functions.
const fs = require('node:fs');
const profile = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
const skipUs = Number(process.argv[3] ?? 0) * 1e6;
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parentOf = new Map();
for (const n of profile.nodes) for (const c of n.children ?? []) parentOf.set(c, n.id);
const inRequest = new Map();
function underRequest(id) {
  let known = inRequest.get(id);
  if (known === undefined) {
    const node = byId.get(id);
    known = node.callFrame.functionName === 'onProxyRequest' || (parentOf.has(id) && underRequest(parentOf.get(id)));
    inRequest.set(id, known);
  }
  return known;
}
let t = profile.startTime;
const at = profile.samples.map((_, i) => (t += profile.timeDeltas[i] || 0));
const firstRequest = profile.samples.findIndex((id) => underRequest(id));
const from = firstRequest === -1 ? profile.startTime : at[firstRequest] + skipUs;
const self = new Map();
let total = 0;
for (let i = 1; i < profile.samples.length; i++) {
  if (at[i] < from) continue;
  const dt = at[i] - at[i - 1];
  const f = byId.get(profile.samples[i]).callFrame;
  const key = `${f.functionName || '(anonymous)'} ${f.url.replace(/^.*\/(node_modules|apps|libs|node:)/, '$1')}:${f.lineNumber + 1}`;
  self.set(key, (self.get(key) || 0) + dt);
  total += dt;
}
const rows = [...self].sort((a, b) => b[1] - a[1]).slice(0, 25);
console.log(`\nCPU profile (self time, ${(total / 1e6).toFixed(2)} s sampled from the first proxied request${skipUs > 0 ? ` + ${skipUs / 1e6} s` : ''}):`);
for (const [k, v] of rows) console.log(`${((v / total) * 100).toFixed(1).padStart(5)}%  ${k}`);
