// RolloutStore on real databases: only one rollout is open at a time, enforced by the database's unique index on
// open rollouts, so two control planes opening one at the same moment on one PostgreSQL get one rollout between
// them (the loser reads the winner's and the Admin API answers 409).
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import { applyMigrations, loadDefaultSchemaSource, openDataSource } from '../../persistence';
import { ROLLOUTS_TABLE } from '../../persistence/migrations/0002-config-releases';
import { WriteLock } from '../../persistence/write-lock';
import { RolloutStore } from './rollout-store';
import type { RolloutOpenBody } from './rollout-types';

const BODY: RolloutOpenBody = { stages: [{ labels: { tier: 'canary' }, hold_seconds: null }, { labels: {}, hold_seconds: null }], max_error_rate: null };
const storeOn = (ds: DataSource) => {
  const lock = new WriteLock();
  return new RolloutStore({ dataSource: ds, transact: (work) => lock.run(() => ds.transaction(work)) });
};
const openRow = (id: string) => ({
  id, state: 'open', stages: JSON.stringify(BODY.stages), max_error_rate: null, current_stage: 0, baseline: 1,
  stage_started_at: '[0]', reason: null, created_at: 0, updated_at: 0, ended_at: null,
});

describe('RolloutStore: one open rollout', () => {
  it('SQLite: the index refuses a second open row; insert answers the open one; a new one opens once it ended', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'tollgate-rollouts-'));
    const ds = await openDataSource({ database: 'sqlite', sqlite_file: join(dir, 't.db') } as never, loadDefaultSchemaSource());
    try {
      await applyMigrations(ds, 'up');
      const store = storeOn(ds);
      const first = await store.insert(BODY, 1);
      expect(first.created).toBe(true);
      // a writer that skipped the check (another control plane between its check and its insert) is refused
      await expect(ds.createQueryBuilder().insert().into(ROLLOUTS_TABLE).values(openRow('00000000-0000-4000-8000-000000000001')).execute())
        .rejects.toThrow(/UNIQUE constraint failed/);
      const second = await store.insert(BODY, 1);
      expect(second).toEqual({ created: false, rollout: first.rollout });
      expect((await store.abort(first.rollout.id, 'done')).ok).toBe(true);
      expect((await store.insert(BODY, 2)).created).toBe(true);
    } finally {
      await ds.destroy();
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL: two control planes opening at the same moment get one rollout between them', async () => {
    const schema = `rollouts_${randomBytes(4).toString('hex')}`;
    const pg = { database: 'postgres', pg_host: '127.0.0.1', pg_port: 5432, pg_user: process.env.TOLLGATE_TEST_PG_USER ?? 'postgres', pg_database: 'test', pg_schema: schema } as never;
    const a = await openDataSource(pg, loadDefaultSchemaSource());
    const b = await openDataSource(pg, loadDefaultSchemaSource());
    try {
      await applyMigrations(a, 'up');
      const [one, two] = [storeOn(a), storeOn(b)];
      for (let round = 0; round < 5; round++) {
        const results = await Promise.all([one.insert(BODY, round + 1), two.insert(BODY, round + 1)]);
        expect(results.filter((r) => r.created)).toHaveLength(1);
        expect(results[0].rollout.id).toBe(results[1].rollout.id);
        const open: Array<{ id: string }> = await a.createQueryBuilder().select('r.id', 'id').from(ROLLOUTS_TABLE, 'r').where("r.state = 'open'").getRawMany();
        expect(open).toEqual([{ id: results[0].rollout.id }]);
        expect((await one.abort(results[0].rollout.id, 'next round')).ok).toBe(true);
      }
    } finally {
      await a.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await a.destroy();
      await b.destroy();
    }
  });
});
