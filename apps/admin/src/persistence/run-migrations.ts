// `tollgate migrations up|list|reset`, and the control plane's own `up` at start.
import type { DataSource } from 'typeorm';
import { openDataSource, type PersistenceSettings } from './data-source';
import { loadDefaultSchemaSource, type SchemaSource } from './schema-source';

export type MigrationCommand = 'up' | 'list' | 'reset';

export interface MigrationStatus {
  readonly name: string;
  readonly executed: boolean;
}

export async function migrationStatus(dataSource: DataSource): Promise<MigrationStatus[]> {
  const table = dataSource.options.migrationsTableName ?? 'migrations';
  const runner = dataSource.createQueryRunner();
  try {
    const executed = new Set<string>();
    if (await runner.hasTable(table)) {
      const rows: Array<{ name: string }> = await runner.query(`SELECT name FROM ${runner.connection.driver.escape(table)}`);
      for (const row of rows) executed.add(row.name);
    }
    return dataSource.migrations.map((migration) => ({
      name: migration.name ?? migration.constructor.name,
      executed: executed.has(migration.name ?? migration.constructor.name),
    }));
  } finally {
    await runner.release();
  }
}

export async function applyMigrations(dataSource: DataSource, command: MigrationCommand): Promise<MigrationStatus[]> {
  if (command === 'up') await dataSource.runMigrations({ transaction: 'each' });
  if (command === 'reset') {
    while ((await migrationStatus(dataSource)).some((status) => status.executed)) {
      await dataSource.undoLastMigration({ transaction: 'each' });
    }
  }
  return migrationStatus(dataSource);
}

/** Opens the database named by `settings`, runs the command, closes it, and returns each migration's state. */
export async function runMigrations(
  settings: PersistenceSettings,
  command: MigrationCommand,
  source: SchemaSource = loadDefaultSchemaSource(),
): Promise<MigrationStatus[]> {
  const dataSource = await openDataSource(settings, source);
  try {
    return await applyMigrations(dataSource, command);
  } finally {
    await dataSource.destroy();
  }
}
