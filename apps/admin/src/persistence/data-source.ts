// One TypeORM DataSource per control plane. SQLite runs in WAL with synchronous=NORMAL: a commit survives a
// process crash (kill -9) because the WAL is written before the commit returns; only power loss could lose it.
import { closeSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { Settings } from '@tollgate/config';
import { allMigrations } from './migrations';
import { pgSslOptions } from './pg-ssl';
import { storedSchemas, type SchemaSource } from './schema-source';
import { ormEntityFor, tagsOrmEntity } from './typeorm-entities';

export type PersistenceSettings = Pick<
  Settings,
  | 'database'
  | 'sqlite_file'
  | 'pg_host'
  | 'pg_port'
  | 'pg_user'
  | 'pg_password'
  | 'pg_database'
  | 'pg_schema'
  | 'pg_timeout'
  | 'pg_ssl'
  | 'pg_ssl_verify'
  | 'pg_pool_size'
> & Partial<Pick<Settings, 'lua_ssl_trusted_certificate'>>;

function connectionOptions(settings: PersistenceSettings): DataSourceOptions {
  if (settings.database === 'postgres') {
    return {
      type: 'postgres',
      host: settings.pg_host,
      port: settings.pg_port,
      username: settings.pg_user,
      password: settings.pg_password ?? undefined,
      database: settings.pg_database,
      schema: settings.pg_schema ?? undefined,
      ssl: pgSslOptions(settings),
      connectTimeoutMS: settings.pg_timeout,
      poolSize: settings.pg_pool_size ?? undefined,
      // raw statements (the migrations table, subqueries) resolve in pg_schema too
      extra: settings.pg_schema ? { options: `-c search_path="${settings.pg_schema.replace(/"/g, '""')}"` } : undefined,
    };
  }
  if (settings.database === 'sqlite') {
    createPrivately(settings.sqlite_file);
    return {
      type: 'better-sqlite3',
      database: settings.sqlite_file,
      enableWAL: true,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('synchronous = NORMAL');
        db.pragma('busy_timeout = 5000');
      },
    };
  }
  throw new Error(`database = ${settings.database} has no persistence layer`);
}

/**
 * The database holds credentials and private keys: its directory is created 0700 and the file 0600 before SQLite
 * opens it, and SQLite gives the -wal and -shm files the mode of the database file.
 */
function createPrivately(file: string): void {
  if (file === ':memory:' || file === '') return;
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  closeSync(openSync(file, 'a', 0o600));
}

export function createDataSource(settings: PersistenceSettings, source: SchemaSource): DataSource {
  const schemas = storedSchemas(source);
  return new DataSource({
    ...connectionOptions(settings),
    entities: [...schemas.map(ormEntityFor), tagsOrmEntity],
    migrations: allMigrations(schemas),
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    logging: false,
  } as DataSourceOptions);
}

/** Opens the data source; for PostgreSQL with pg_schema, creates the schema first so migrations can run in it. */
export async function openDataSource(settings: PersistenceSettings, source: SchemaSource): Promise<DataSource> {
  if (settings.database === 'postgres' && settings.pg_schema) {
    const bootstrap = createDataSource({ ...settings, pg_schema: null }, { ...source, entities: new Map() });
    await bootstrap.initialize();
    try {
      await bootstrap.query(`CREATE SCHEMA IF NOT EXISTS "${settings.pg_schema.replace(/"/g, '""')}"`);
    } finally {
      await bootstrap.destroy();
    }
  }
  const dataSource = createDataSource(settings, source);
  await dataSource.initialize();
  return dataSource;
}
