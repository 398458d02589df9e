#!/usr/bin/env node
// `npx tollgate ...`: runs the compiled CLI. `npm ci` builds it through the `prepare` script.
'use strict';
// Before anything else: SIGUSR1 would otherwise open Node's inspector (signals/inspector-guard.ts also closes
// one a signal opened while Node was booting).
process.on('SIGUSR1', () => {});
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
