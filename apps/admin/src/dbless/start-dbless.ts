// `database = off`: the control plane without a database. The Admin API app is the usual one, backed by an
// in-memory SQLite store that only the declarative loader writes; the DB-less layer in front answers
// `/config`, reports `configuration_hash` and refuses entity writes. Chosen over a second, database-free Nest
// wiring because every entity GET (paging, tags, nested paths, errors) then stays exactly the code DB mode runs.
import { readFileSync } from 'node:fs';
import type { Settings } from '@tollgate/config';
import type { DataSource } from 'typeorm';
import { startControlPlane, type ControlPlaneHandle, type ControlPlaneOptions } from '../main';
import { DEFAULT_ADMIN_MAX_BODY_SIZE } from '../common/configure-admin-http';
import { NodeInfoService } from '../custom/node-info.service';
import type { PluginCatalog } from '../custom/plugin-catalog';
import { PLUGIN_CATALOG } from '../bootstrap/tokens';
import { StatusService } from '../custom/status.service';
import { DATA_SOURCE, SCHEMA_SOURCE, type SchemaSource } from '../persistence';
import { DblessConfig } from './dbless-config';
import { dblessLayer } from './dbless-layer';
import { DblessWriteGuard } from './write-guard';

export interface DblessControlPlaneHandle extends ControlPlaneHandle {
  readonly dbless: DblessConfig;
}

interface ExpressLayer {
  readonly name?: string;
}
interface ExpressApp {
  use(fn: unknown): void;
  router: { stack: ExpressLayer[] };
}

/** Places the layer right after access control and CORS, so untrusted clients never reach `/config`. */
function installLayer(express: ExpressApp, layer: (...args: never[]) => void): void {
  express.use(layer);
  const stack = express.router.stack;
  const installed = stack.pop()!;
  const after = Math.max(stack.findIndex((l) => l.name === 'cors'), stack.findIndex((l) => l.name === 'accessControl'));
  if (after < 0) throw new Error('DB-less: the Admin API has no access-control layer to follow');
  stack.splice(after + 1, 0, installed);
}

export async function startDblessControlPlane(settings: Settings, opts: ControlPlaneOptions = {}): Promise<DblessControlPlaneHandle> {
  const cp = await startControlPlane({ ...settings, database: 'sqlite', sqlite_file: ':memory:' }, opts);
  try {
    // the running app's own catalog and schema source: the loader validates exactly what the Admin API would
    const plugins = cp.app.get<PluginCatalog>(PLUGIN_CATALOG, { strict: false });
    const source = cp.app.get<SchemaSource>(SCHEMA_SOURCE, { strict: false });
    const dbless = new DblessConfig({
      dataSource: cp.app.get<DataSource>(DATA_SOURCE, { strict: false }),
      source,
      snapshots: cp.snapshots,
      pluginSchemas: plugins.configSchemas,
    });
    if (settings.declarative_config) {
      const outcome = await dbless.load({ text: readFileSync(settings.declarative_config, 'utf8'), fileName: settings.declarative_config });
      if (outcome.status === 400) {
        throw new Error(`declarative_config ${settings.declarative_config} is invalid: ${outcome.body.message}`);
      }
    }
    const status = cp.app.get(StatusService, { strict: false });
    installLayer(cp.app.getHttpAdapter().getInstance() as ExpressApp, dblessLayer({
      config: dbless,
      guard: new DblessWriteGuard(source),
      snapshots: cp.snapshots,
      statusReport: (unit, scale) => status.report(unit, scale),
      maxBodySize: settings.admin_max_body_size || DEFAULT_ADMIN_MAX_BODY_SIZE,
      onError: (err) => opts.logger?.error({ err }, 'POST /config failed'),
    }));
    reportDatabaseOff(cp, settings);
    return Object.assign(cp, { dbless });
  } catch (err) {
    await cp.close();
    throw err;
  }
}

/**
 * GET / shows the node's real configuration (`database: off`, the operator's sqlite_file), not the in-memory
 * store's: tools such as decK read `configuration.database` to choose `POST /config` over entity writes.
 */
function reportDatabaseOff(cp: ControlPlaneHandle, settings: Settings): void {
  const info = cp.app.get(NodeInfoService, { strict: false }) as unknown as { configuration: Record<string, unknown> };
  info.configuration.database = settings.database;
  info.configuration.sqlite_file = settings.sqlite_file;
}
