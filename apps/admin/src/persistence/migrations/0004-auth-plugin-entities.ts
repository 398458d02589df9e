// The tables of the hmac-auth, oauth2 and session plugins for databases created before they existed (a new
// database already has them from the first migration, which builds every stored schema).
import type { MigrationInterface, QueryRunner } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { tableFor } from './table-builder';

const TABLES = ['hmacauth_credentials', 'oauth2_credentials', 'oauth2_authorization_codes', 'oauth2_tokens', 'sessions', 'session_metadatas'];

export function authPluginEntitiesMigration(schemas: readonly EntitySchema[]): new () => MigrationInterface {
  const mine = schemas.filter((schema) => TABLES.includes(schema.name));
  return class AuthPluginEntities1765200000000 implements MigrationInterface {
    readonly name = 'AuthPluginEntities1765200000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const schema of mine) await runner.createTable(tableFor(schema, runner.connection.driver.options.type), true, false, true);
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const schema of [...mine].reverse()) await runner.dropTable(schema.name, true);
    }
  };
}
