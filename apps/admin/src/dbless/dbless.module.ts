// The DB-less loader as part of the Admin API app: built from the app's own store, schema source and plugin
// catalog (so a file is validated exactly as the Admin API would), and the hash `/status` reports.
import { Global, Module, type DynamicModule } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { CONFIGURATION_HASH, PLUGIN_CATALOG, SNAPSHOTS } from '../bootstrap/tokens';
import type { SnapshotService } from '../cluster/snapshot.service';
import type { PluginCatalog } from '../custom/plugin-catalog';
import { DATA_SOURCE, SCHEMA_SOURCE, type SchemaSource } from '../persistence';
import { DblessConfig } from './dbless-config';

export interface DblessModuleOptions {
  readonly maxConfigBytes?: number;
  readonly loadTimeoutMs?: number;
  readonly onWarning?: (message: string) => void;
}

@Global()
@Module({})
export class DblessModule {
  static forRoot(options: DblessModuleOptions = {}): DynamicModule {
    return {
      module: DblessModule,
      providers: [
        {
          provide: DblessConfig,
          inject: [DATA_SOURCE, SCHEMA_SOURCE, SNAPSHOTS, PLUGIN_CATALOG],
          useFactory: (dataSource: DataSource, source: SchemaSource, snapshots: SnapshotService, plugins: PluginCatalog) =>
            new DblessConfig({ dataSource, source, snapshots, pluginSchemas: plugins.configSchemas, ...options }),
        },
        { provide: CONFIGURATION_HASH, inject: [DblessConfig], useFactory: (config: DblessConfig) => () => config.hash32() },
      ],
      exports: [DblessConfig, CONFIGURATION_HASH],
    };
  }
}
