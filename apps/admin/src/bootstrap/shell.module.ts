import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { Dao } from '../persistence';
import { SnapshotService } from '../cluster/snapshot.service';
import { resolveNodeIdentity } from '@tollgate/config';
import type { PluginCatalog } from '../custom/plugin-catalog';
import type { ConnectionStats } from './connection-stats';
import type { RouteCatalog } from './route-catalog';
import { ADMIN_SETTINGS, CONNECTION_STATS, DATABASE_PROBE, NODE_IDENTITY, PLUGIN_CATALOG, ROUTE_CATALOG, SNAPSHOTS } from './tokens';

export interface ShellParts {
  readonly settings: Settings;
  readonly catalog: RouteCatalog;
  readonly stats: ConnectionStats;
  readonly plugins: PluginCatalog;
  readonly onSnapshotError: (err: unknown) => void;
}

/** Process-wide objects of the Admin API shell, shared by the custom endpoints, OpenAPI and the cluster feed. */
@Global()
@Module({})
export class ShellModule {
  static forRoot(parts: ShellParts): DynamicModule {
    return {
      module: ShellModule,
      providers: [
        { provide: ADMIN_SETTINGS, useValue: parts.settings },
        { provide: ROUTE_CATALOG, useValue: parts.catalog },
        { provide: CONNECTION_STATS, useValue: parts.stats },
        { provide: PLUGIN_CATALOG, useValue: parts.plugins },
        { provide: NODE_IDENTITY, useFactory: () => resolveNodeIdentity(parts.settings) },
        {
          provide: SNAPSHOTS,
          inject: [Dao],
          useFactory: async (dao: Dao) => {
            const snapshots = new SnapshotService(dao, parts.onSnapshotError);
            await snapshots.start();
            return snapshots;
          },
        },
        {
          provide: DATABASE_PROBE,
          inject: [Dao],
          useFactory: (dao: Dao) => async () => {
            await dao.dataSource.query('SELECT 1');
            return true;
          },
        },
      ],
      exports: [ADMIN_SETTINGS, ROUTE_CATALOG, CONNECTION_STATS, PLUGIN_CATALOG, NODE_IDENTITY, SNAPSHOTS, DATABASE_PROBE],
    };
  }
}
