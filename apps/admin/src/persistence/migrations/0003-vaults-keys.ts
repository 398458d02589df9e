// Vaults, key sets and keys (Kong 3.x entities added after the first release). A database created by 0001 with
// these schemas already has the tables (0001 builds every stored schema): creating them is skipped then.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { tableFor } from './table-builder';

const TABLES = ['vaults', 'key_sets', 'keys'];

export function vaultsKeysMigration(schemas: readonly EntitySchema[]): new () => MigrationInterface {
  const added = TABLES.map((name) => schemas.find((s) => s.name === name)).filter((s): s is EntitySchema => s !== undefined);
  return class VaultsKeys1765000000001 implements MigrationInterface {
    readonly name = 'VaultsKeys1765000000001';

    async up(runner: QueryRunner): Promise<void> {
      for (const schema of added) await runner.createTable(tableFor(schema, runner.connection.driver.options.type), true, false, true);
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const schema of [...added].reverse()) await runner.dropTable(schema.name, true);
    }
  };
}
