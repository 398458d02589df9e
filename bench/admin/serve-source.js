// The benchmark's control plane started from the TypeScript sources (`--server source`), for when the CLI is not
// built or to measure uncommitted changes: same config file as the CLI, prints the admin port as one JSON line.
//   usage: node bench/admin/serve-source.js <tollgate.conf> <prefix>
'use strict';
require('../../tools/ts-register');
const { loadSettings } = require('@tollgate/config');
const { startControlPlane } = require('../../apps/admin/src/main.ts');

(async () => {
  const [file, prefix] = process.argv.slice(2);
  const settings = loadSettings({ file, prefix, cwd: prefix, env: {} });
  const handle = await startControlPlane(settings);
  process.stdout.write(`${JSON.stringify({ key: 'admin_listen', port: handle.listeners[0].port })}\n`);
  const stop = () => void handle.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
})().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
