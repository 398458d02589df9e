// `database = off`: the control plane without a database. The Admin API app is the usual one, backed by an
// in-memory SQLite store (`storage: 'memory'`) that only the declarative loader writes; the DB-less layer in
// front answers `/config` and refuses entity writes. Chosen over a second, database-free Nest wiring because
// every entity GET (paging, tags, nested paths, errors) then stays exactly the code DB mode runs.
import { readFileSync } from 'node:fs';
import type { Settings } from '@tollgate/config';
import { startControlPlane, type ControlPlaneHandle, type ControlPlaneOptions } from '../main';
import { SNAPSHOTS } from '../bootstrap/tokens';
import type { SnapshotService } from '../cluster/snapshot.service';
import { DEFAULT_ADMIN_MAX_BODY_SIZE } from '../common/configure-admin-http';
import { SCHEMA_SOURCE, type SchemaSource } from '../persistence';
import { DblessConfig } from './dbless-config';
import { dblessLayer } from './dbless-layer';
import { DblessModule, type DblessModuleOptions } from './dbless.module';
import { DblessWriteGuard } from './write-guard';

export interface DblessControlPlaneHandle extends ControlPlaneHandle {
  readonly dbless: DblessConfig;
}

export type DblessControlPlaneOptions = Omit<ControlPlaneOptions, 'storage' | 'beforeRoutes'> & DblessModuleOptions;

export async function startDblessControlPlane(settings: Settings, opts: DblessControlPlaneOptions = {}): Promise<DblessControlPlaneHandle> {
  const { maxConfigBytes, loadTimeoutMs, ...cpOptions } = opts;
  let dbless: DblessConfig | undefined;
  const cp = await startControlPlane(settings, {
    ...cpOptions,
    storage: 'memory',
    modules: [
      DblessModule.forRoot({ maxConfigBytes, loadTimeoutMs, onWarning: (message) => opts.logger?.warn(`declarative config: ${message}`) }),
      ...(cpOptions.modules ?? []),
    ],
    async beforeRoutes(app) {
      const config = app.get<DblessConfig>(DblessConfig);
      dbless = config;
      // loaded before any listener opens: the first request already sees the file
      if (settings.declarative_config) await loadFile(config, settings.declarative_config);
      app.use(dblessLayer({
        config,
        guard: new DblessWriteGuard(app.get<SchemaSource>(SCHEMA_SOURCE)),
        snapshots: app.get<SnapshotService>(SNAPSHOTS),
        maxBodySize: settings.admin_max_body_size || DEFAULT_ADMIN_MAX_BODY_SIZE,
        onError: (err) => opts.logger?.error({ err }, 'POST /config failed'),
      }));
    },
  });
  const config = dbless!;
  const close = cp.close.bind(cp);
  // refuse new configurations (503) while in-flight requests drain
  return Object.assign(cp, { dbless: config, close: () => (config.beginExit(), close()) });
}

async function loadFile(dbless: DblessConfig, file: string): Promise<void> {
  // a boot has no client waiting: no timeout
  const outcome = await dbless.load({ text: readFileSync(file, 'utf8'), fileName: file }, { timeoutMs: Infinity });
  if (outcome.status === 400) throw new Error(`declarative_config ${file} is invalid: ${outcome.body.message}`);
  if (outcome.status !== 201) throw new Error(`declarative_config ${file} could not be loaded (${outcome.status})`);
}
