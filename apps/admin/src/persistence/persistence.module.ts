// Nest wiring: PersistenceModule.forRoot(settings) opens the database, runs pending migrations and provides Dao.
import { Global, Module, type DynamicModule, type OnApplicationShutdown, Inject } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import { Dao } from './dao';
import { startTtlSweeper } from './ttl-sweeper';
import { openDataSource, type PersistenceSettings } from './data-source';
import { applyMigrations } from './run-migrations';
import { loadDefaultSchemaSource, SCHEMA_SOURCE, type SchemaSource } from './schema-source';

export const DATA_SOURCE = Symbol('DATA_SOURCE');

export interface PersistenceOptions {
  /** Defaults to libs/schema's registry. */
  readonly schemas?: SchemaSource;
  /** Run pending migrations when opening (default true; the database is created on first start). */
  readonly migrate?: boolean;
}

@Global()
@Module({})
export class PersistenceModule implements OnApplicationShutdown {
  private readonly stopSweeper: () => void;

  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource, @Inject(Dao) dao: Dao) {
    this.stopSweeper = startTtlSweeper(dao);
  }

  static forRoot(settings: PersistenceSettings, options: PersistenceOptions = {}): DynamicModule {
    return {
      module: PersistenceModule,
      providers: [
        { provide: SCHEMA_SOURCE, useFactory: () => options.schemas ?? loadDefaultSchemaSource() },
        {
          provide: DATA_SOURCE,
          inject: [SCHEMA_SOURCE],
          useFactory: async (source: SchemaSource) => {
            const dataSource = await openDataSource(settings, source);
            if (options.migrate !== false) await applyMigrations(dataSource, 'up');
            return dataSource;
          },
        },
        { provide: Dao, inject: [DATA_SOURCE, SCHEMA_SOURCE], useFactory: (ds: DataSource, s: SchemaSource) => new Dao(ds, s) },
      ],
      exports: [Dao, DATA_SOURCE, SCHEMA_SOURCE],
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopSweeper();
    if (this.dataSource.isInitialized) await this.dataSource.destroy();
  }
}
