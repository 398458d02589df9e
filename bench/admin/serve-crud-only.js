// `--server crud-only`: only the persistence and generic CRUD modules (no snapshot, cluster or custom
// endpoints), to measure the write path on its own. Same arguments and output as serve-source.js.
'use strict';
require('../../tools/ts-register');
require('reflect-metadata');
const { NestFactory } = require('@nestjs/core');
const { loadSettings } = require('@tollgate/config');
const { configureAdminHttp } = require('../../apps/admin/src/common/index.ts');
const { EntitiesModule } = require('../../apps/admin/src/entities/index.ts');
const { PersistenceModule } = require('../../apps/admin/src/persistence/index.ts');

(async () => {
  const [file, prefix] = process.argv.slice(2);
  const settings = loadSettings({ file, prefix, cwd: prefix, env: {} });
  const module = { module: class CrudOnlyModule {}, imports: [PersistenceModule.forRoot(settings), EntitiesModule] };
  const app = await NestFactory.create(module, { bodyParser: false, logger: false });
  configureAdminHttp(app, settings);
  await app.listen(0, '127.0.0.1');
  process.stdout.write(`${JSON.stringify({ key: 'admin_listen', port: app.getHttpServer().address().port })}\n`);
  const stop = () => void app.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
})().catch((error) => {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exit(1);
});
