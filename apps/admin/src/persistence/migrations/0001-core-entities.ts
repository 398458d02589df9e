// First migration: one table per stored entity plus the tags index. The tables are derived from the schemas
// as they are at this release; later schema changes get their own migration classes next to this one.
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { tableFor, tagsTable } from './table-builder';

export function coreEntitiesMigration(schemas: readonly EntitySchema[]): new () => MigrationInterface {
  return class CoreEntities1764130000000 implements MigrationInterface {
    readonly name = 'CoreEntities1764130000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const schema of schemas) await runner.createTable(tableFor(schema, runner.connection.driver.options.type), true, false, true);
      await runner.createTable(tagsTable(), true, false, true);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.dropTable(tagsTable().name, true);
      for (const schema of [...schemas].reverse()) await runner.dropTable(schema.name, true);
    }
  };
}
