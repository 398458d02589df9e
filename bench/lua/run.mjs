// `npm run bench:lua`: what Lua costs per request. 1) the two VM candidates on the same one-line snippet
// (why fengari); 2) the real plugin pipeline from dist/ with a one-line pre-function snippet and
// request-transformer templates, against a route without plugins in the same run. Needs `npm run build`.
// Env: N (iterations per case), ROUNDS (best of). Figures on a loaded machine are inflated alike for every
// case: read the differences and ratios, not the absolute numbers.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import { compareEngines } from './engines.mjs';

const dist = fileURLToPath(new URL('../../dist/apps/cli/libs/plugins/src/index.js', import.meta.url));
if (!existsSync(dist)) {
  console.error('dist/ is missing: run `npm run build` first');
  process.exit(1);
}
const { measurePipeline } = await import('./pipeline.mjs');
const us = (ns) => (ns / 1000).toFixed(2).padStart(7);

console.log(`load average ${loadavg()[0].toFixed(1)} (figures scale with it; compare within this run)\n`);
console.log('Lua VM candidates, one-line snippet with two host calls:');
for (const { label, ns } of await compareEngines()) console.log(`  ${label.padEnd(34)} ${us(ns)} µs per call`);

console.log('\nReal plugin pipeline (access + header_filter), per request:');
const best = measurePipeline();
const base = best['no plugin (baseline)'];
for (const [name, ns] of Object.entries(best)) {
  const extra = name === 'no plugin (baseline)' ? '' : `  (+${us(ns - base).trim()} µs over the baseline)`;
  console.log(`  ${name.padEnd(48)} ${us(ns)} µs${extra}`);
}
