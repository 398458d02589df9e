// Cost of one rate-limiting `local` counter decision (the plugin's hot path without HTTP), for each build given:
// node ratelimit-micro.js <label>=<built tree> ... (trees from build.js). SHM=<file> maps the node-wide file.
// Prints ns per call, best of 5 runs of 1e6 calls on one counter (one route, one client).
'use strict';
const path = require('node:path');

const N = 1e6;
for (const arg of process.argv.slice(2)) {
  const [label, tree] = arg.split('=');
  const rl = path.join(path.resolve(tree), 'libs/plugins/src/bundled/rate-limiting');
  if (process.env.SHM && label.includes('shared')) {
    require(path.join(path.resolve(tree), 'libs/plugins/src/shared-counters')).useSharedCountersFile(`${process.env.SHM}.${process.pid}`);
  }
  const { LocalPolicy, prepareLimit } = require(path.join(rl, 'policies'));
  const limits = [prepareLimit('hour', 1e9, 2)];
  const policy = new LocalPolicy('00000000-0000-4000-8000-000000000001');
  const route = '10000000-0000-4000-8000-000000000000';
  const service = '00000000-0000-4000-8000-000000000001';
  let best = Infinity;
  for (let run = 0; run < 5; run++) {
    const t0 = process.hrtime.bigint();
    for (let i = 0; i < N; i++) policy.usage(route, service, '127.0.0.1', limits, Date.now());
    best = Math.min(best, Number(process.hrtime.bigint() - t0) / N);
  }
  console.log(`${label.padEnd(44)} ${best.toFixed(0).padStart(6)} ns/decision`);
}
