// The acme plugin's acme_storage table for databases created before it existed (a new database already has it
// from the first migration, which builds every stored schema).
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { tableFor } from './table-builder';

export function acmeStorageMigration(schemas: readonly EntitySchema[]): new () => MigrationInterface {
  const mine = schemas.filter((schema) => schema.name === 'acme_storage');
  return class AcmeStorage1765300000000 implements MigrationInterface {
    readonly name = 'AcmeStorage1765300000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const schema of mine) await runner.createTable(tableFor(schema, runner.connection.driver.options.type), true, false, true);
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const schema of mine) await runner.dropTable(schema.name, true);
    }
  };
}
