import type { MigrationInterface } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { coreEntitiesMigration } from './0001-core-entities';

/** Every migration in order. Add new ones at the end; never edit one that has shipped. */
export function allMigrations(schemas: readonly EntitySchema[]): Array<new () => MigrationInterface> {
  return [coreEntitiesMigration(schemas)];
}
