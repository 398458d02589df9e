#!/usr/bin/env node
// `npx tollgate ...`: runs the compiled CLI. `npm ci` builds it through the `prepare` script.
'use strict';
// Before anything else: SIGUSR1 would otherwise open Node's inspector (signals/inspector-guard.ts also closes
// one a signal opened while Node was booting).
process.on('SIGUSR1', () => {});
// Before Node's helper threads allocate: each would get a glibc malloc arena of its own, resident for good
// (apps/cli/src/supervisor/malloc-trim.ts caps them, but only for arenas not yet created by then).
if (process.env.MALLOC_ARENA_MAX === undefined) {
  try { require('../native/transparent/build/Release/memory.node').limitMallocArenas(1); } catch { /* not built: glibc's default */ }
}
// `tollgate start`: a data-plane supervisor keeps V8's young generation at its initial 1 MiB from the first module
// on (apps/cli/src/supervisor/node.ts says why; the other roles let it grow again once they know their role).
// An operator's own semi-space flags win.
if (process.argv.includes('start') && !/semi[-_]space/.test(`${process.execArgv.join(' ')} ${process.env.NODE_OPTIONS ?? ''}`)) {
  require('node:v8').setFlagsFromString('--semi-space-growth-factor=1');
}
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write('tollgate is not built yet: run `npm run build` (npm ci does this for you)\n');
  process.exit(1);
}
require(entry)
  .run(process.argv.slice(2))
  .then((code) => { process.exitCode = code; });
