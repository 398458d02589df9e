// Second migration: the tables of config releases, rollouts and the data-plane registry (Kong keeps
// clustering_data_planes in its database too). Not entities of the Admin API's generic CRUD: they are written by
// the control plane itself, so they are plain tables built with the same portable Table API as 0001.
import { Table, TableIndex, type MigrationInterface, type QueryRunner } from 'typeorm';

const text = (name: string, nullable = true) => ({ name, type: 'text', isNullable: nullable });
const int = (name: string, nullable = true) => ({ name, type: 'bigint', isNullable: nullable });
const float = (name: string, nullable = true) => ({ name, type: 'double precision', isNullable: nullable });

export const RELEASES_TABLE = 'config_releases';
export const ROLLOUTS_TABLE = 'config_rollouts';
export const DATA_PLANES_TABLE = 'clustering_data_planes';

function tables(): Table[] {
  return [
    new Table({
      name: RELEASES_TABLE,
      columns: [
        // the primary key is what makes two control planes on one database agree: a second insert of the same
        // number fails, and its writer re-reads the latest release and tries again
        { ...int('number', false), isPrimary: true },
        text('hash', false),
        int('parent'),
        float('created_at', false),
        text('source', false),
        text('summary', false),
        // exactly one of them: the full configuration, or the delta from `parent`
        text('config'),
        text('delta'),
      ],
    }),
    new Table({
      name: ROLLOUTS_TABLE,
      columns: [
        { name: 'id', type: 'uuid', isPrimary: true },
        text('state', false),
        text('stages', false),
        float('max_error_rate'),
        int('current_stage', false),
        int('baseline', false),
        text('stage_started_at', false),
        text('reason'),
        float('created_at', false),
        float('updated_at', false),
        float('ended_at'),
      ],
      indices: [new TableIndex({ name: 'config_rollouts_state_idx', columnNames: ['state'] })],
    }),
    new Table({
      name: DATA_PLANES_TABLE,
      columns: [
        { name: 'id', type: 'text', isPrimary: true },
        text('ip', false),
        text('hostname', false),
        text('version', false),
        text('sync_status', false),
        text('config_hash', false),
        int('release'),
        text('labels', false),
        text('cert_details', false),
        text('release_stats', false),
        int('last_seen', false),
        int('created_at', false),
        int('updated_at', false),
        int('expires_at', false),
      ],
      indices: [new TableIndex({ name: 'clustering_data_planes_expires_idx', columnNames: ['expires_at'] })],
    }),
  ];
}

export function configReleasesMigration(): new () => MigrationInterface {
  return class ConfigReleases1765000000000 implements MigrationInterface {
    readonly name = 'ConfigReleases1765000000000';

    async up(runner: QueryRunner): Promise<void> {
      for (const table of tables()) await runner.createTable(table, true, false, true);
    }

    async down(runner: QueryRunner): Promise<void> {
      for (const table of tables().reverse()) await runner.dropTable(table.name, true);
    }
  };
}
