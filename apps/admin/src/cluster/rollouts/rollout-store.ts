// Rollouts in the database (table config_rollouts, migration 0002), so every control plane serves each data plane
// the same release and a restarted one resumes. State changes are compare-and-set on (state, current_stage): two
// control planes promoting the same stage at once move it one step, and an abort wins over a stale promote.
import { randomUUID } from 'node:crypto';
import type { EntityManager } from 'typeorm';
import { ROLLOUTS_TABLE } from '../../persistence/migrations/0002-config-releases';
import { isUniqueViolation, type ReleaseDb } from '../releases/release-store';
import type { Rollout, RolloutOpenBody, RolloutState } from './rollout-types';

interface RolloutRow {
  id: string;
  state: string;
  stages: string;
  max_error_rate: string | number | null;
  current_stage: string | number;
  baseline: string | number;
  stage_started_at: string;
  reason: string | null;
  created_at: string | number;
  updated_at: string | number;
  ended_at: string | number | null;
}

const now = () => Math.round(Date.now()) / 1000;

function toRollout(row: RolloutRow): Rollout {
  return {
    id: row.id,
    state: row.state as RolloutState,
    stages: JSON.parse(row.stages) as Rollout['stages'],
    max_error_rate: row.max_error_rate === null ? null : Number(row.max_error_rate),
    current_stage: Number(row.current_stage),
    baseline: Number(row.baseline),
    stage_started_at: JSON.parse(row.stage_started_at) as number[],
    reason: row.reason,
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    ended_at: row.ended_at === null ? null : Number(row.ended_at),
  };
}

export type Transition =
  | { readonly ok: true; readonly rollout: Rollout }
  | { readonly ok: false; readonly rollout: Rollout | null };

export class RolloutStore {
  constructor(private readonly db: ReleaseDb) {}

  private select(manager: EntityManager) {
    return manager.createQueryBuilder().select('r.*').from(ROLLOUTS_TABLE, 'r');
  }

  async open(manager: EntityManager = this.db.dataSource.manager): Promise<Rollout | null> {
    const row: RolloutRow | undefined = await this.select(manager).where('r.state = :s', { s: 'open' }).orderBy('r.created_at', 'DESC').limit(1).getRawOne();
    return row ? toRollout(row) : null;
  }

  async get(id: string, manager: EntityManager = this.db.dataSource.manager): Promise<Rollout | null> {
    const row: RolloutRow | undefined = await this.select(manager).where('r.id = :id', { id }).getRawOne();
    return row ? toRollout(row) : null;
  }

  /** Newest first. */
  async list(size: number, skip: number): Promise<{ rollouts: Rollout[]; more: boolean }> {
    const rows: RolloutRow[] = await this.select(this.db.dataSource.manager).orderBy('r.created_at', 'DESC').addOrderBy('r.id', 'ASC').offset(skip).limit(size + 1).getRawMany();
    return { rollouts: rows.slice(0, size).map(toRollout), more: rows.length > size };
  }

  /**
   * Inserts an open rollout, or returns the one already open (then nothing is written). The check is in the
   * transaction; the unique index on open rollouts (migration 0005) refuses the loser of two control planes that
   * checked at the same moment, which then reads the winner's.
   */
  async insert(body: RolloutOpenBody, baseline: number): Promise<{ created: boolean; rollout: Rollout }> {
    try {
      return await this.tryInsert(body, baseline);
    } catch (err) {
      if (!isUniqueViolation(err)) throw err;
      const winner = await this.open();
      if (!winner) throw err;
      return { created: false, rollout: winner };
    }
  }

  private tryInsert(body: RolloutOpenBody, baseline: number): Promise<{ created: boolean; rollout: Rollout }> {
    return this.db.transact(async (manager) => {
      const existing = await this.open(manager);
      if (existing) return { created: false, rollout: existing };
      const at = now();
      const row = {
        id: randomUUID(),
        state: 'open',
        stages: JSON.stringify(body.stages),
        max_error_rate: body.max_error_rate,
        current_stage: 0,
        baseline,
        stage_started_at: JSON.stringify([at]),
        reason: null,
        created_at: at,
        updated_at: at,
        ended_at: null,
      };
      await manager.createQueryBuilder().insert().into(ROLLOUTS_TABLE).values(row).execute();
      return { created: true, rollout: toRollout(row as unknown as RolloutRow) };
    });
  }

  /** Moves an open rollout from stage `from` to the next one, or completes it past the last stage. */
  promote(id: string, from: number): Promise<Transition> {
    return this.transition(id, from, (r) => {
      const at = now();
      if (r.current_stage + 1 >= r.stages.length) return { state: 'completed', updated_at: at, ended_at: at };
      return { current_stage: r.current_stage + 1, stage_started_at: JSON.stringify([...r.stage_started_at, at]), updated_at: at };
    });
  }

  /** Ends an open rollout as aborted with `reason`. */
  abort(id: string, reason: string): Promise<Transition> {
    return this.transition(id, null, () => {
      const at = now();
      return { state: 'aborted', reason, updated_at: at, ended_at: at };
    });
  }

  private transition(id: string, stage: number | null, change: (r: Rollout) => Record<string, unknown>): Promise<Transition> {
    return this.db.transact(async (manager) => {
      const current = await this.get(id, manager);
      if (!current || current.state !== 'open' || (stage !== null && current.current_stage !== stage)) return { ok: false, rollout: current };
      let update = manager.createQueryBuilder().update(ROLLOUTS_TABLE).set(change(current)).where('id = :id AND state = :open', { id, open: 'open' });
      if (stage !== null) update = update.andWhere('current_stage = :stage', { stage });
      const result = await update.execute();
      // SQLite and PostgreSQL both report affected rows for UPDATE
      if (result.affected === 0) return { ok: false, rollout: await this.get(id, manager) };
      return { ok: true, rollout: (await this.get(id, manager))! };
    });
  }
}
