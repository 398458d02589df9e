import type { MigrationInterface } from 'typeorm';
import type { EntitySchema } from '@tollgate/schema';
import { coreEntitiesMigration } from './0001-core-entities';
import { configReleasesMigration } from './0002-config-releases';
import { vaultsKeysMigration } from './0003-vaults-keys';
import { authPluginEntitiesMigration } from './0004-auth-plugin-entities';
import { acmeStorageMigration } from './0005-acme-storage';
import { oneOpenRolloutMigration } from './0006-one-open-rollout';

/** Every migration in order. Add new ones at the end; never edit one that has shipped. */
export function allMigrations(schemas: readonly EntitySchema[]): Array<new () => MigrationInterface> {
  return [
    coreEntitiesMigration(schemas), configReleasesMigration(), vaultsKeysMigration(schemas), authPluginEntitiesMigration(schemas),
    acmeStorageMigration(schemas), oneOpenRolloutMigration(),
  ];
}
