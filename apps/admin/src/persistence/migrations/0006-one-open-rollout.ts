// At most one open rollout, enforced by the database: two control planes on one PostgreSQL that both check "none
// is open" and insert at the same moment would otherwise both open one. A partial unique index (SQLite and
// PostgreSQL alike) makes the second insert fail; the store answers it as "already open" (409).
import type { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLOUTS_TABLE } from './0002-config-releases';

export const ONE_OPEN_ROLLOUT_INDEX = 'config_rollouts_one_open';

export function oneOpenRolloutMigration(): new () => MigrationInterface {
  return class OneOpenRollout1765400000000 implements MigrationInterface {
    readonly name = 'OneOpenRollout1765400000000';

    async up(runner: QueryRunner): Promise<void> {
      await runner.query(`CREATE UNIQUE INDEX IF NOT EXISTS ${ONE_OPEN_ROLLOUT_INDEX} ON ${ROLLOUTS_TABLE} (state) WHERE state = 'open'`);
    }

    async down(runner: QueryRunner): Promise<void> {
      await runner.query(`DROP INDEX IF EXISTS ${ONE_OPEN_ROLLOUT_INDEX}`);
    }
  };
}
