// Config releases in the database (table config_releases, migration 0002). A release stores either its full
// configuration or the delta from its parent. A full one is written when the deltas since the last full one add
// up to as many rows as the configuration holds, after FULL_EVERY deltas at most, and whenever the writer did not
// hold the parent's configuration (another control plane wrote it, or this one restarted): so writing fulls costs,
// spread over the releases, about as much as their deltas (a stream of small writes to a large configuration does
// not re-serialise all of it every few seconds). Rebuilding one composes the deltas after its full base and
// applies them once, so it costs one full configuration plus the changed rows, however many deltas there are.
// Numbers come from the database and the primary key refuses a duplicate, so several control planes on one
// PostgreSQL agree: a writer that holds the latest release appends number + 1 in one statement that inserts
// nothing when a newer release exists; any other writer (or the loser of a race) takes max(number) + 1 inside a
// transaction, re-reading and trying again on a duplicate.
import { applyDelta, DeltaComposer, diffSnapshots, hashSnapshot, legacyHashSnapshot, type Snapshot, type SnapshotDelta } from '@tollgate/declarative';
import type { EntityManager } from 'typeorm';
import { RELEASES_TABLE, ROLLOUTS_TABLE } from '../../persistence/migrations/0002-config-releases';
import type { Release, ReleaseSource, ReleaseSummary } from './release-types';

/** What a release write needs from persistence: the Dao's serialised transactions and a reader. */
export interface ReleaseDb {
  transact<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  /**
   * Runs statements that are each atomic alone, outside a transaction: one round trip each instead of BEGIN and
   * COMMIT around them. Absent, they run in `transact` (SQLite's one connection must queue them behind the Dao).
   */
  statements?<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  readonly dataSource: { readonly manager: EntityManager };
}

/** Rebuilding costs the changed rows, not the steps; this bounds the rows a rebuild reads and the rows pruning keeps. */
export const FULL_EVERY = 2000;

/** Rows in a configuration or a delta: what serialising, storing and replaying it costs. */
function rowsIn(config: Snapshot): number {
  let n = 0;
  for (const value of Object.values(config as unknown as Record<string, unknown>)) if (Array.isArray(value)) n += value.length;
  return n;
}

function deltaRows(delta: SnapshotDelta): number {
  let n = 0;
  for (const rows of Object.values(delta.upserts)) n += rows.length;
  for (const ids of Object.values(delta.deletes)) n += ids.length;
  return n;
}
/** Pruning runs on every PRUNE_EVERY-th release: the history may exceed its bound by that many rows meanwhile. */
const PRUNE_EVERY = 10;
const INSERT_ATTEMPTS = 8;

interface ReleaseRow {
  number: string | number;
  hash: string;
  parent: string | number | null;
  created_at: string | number;
  source: string;
  summary: string;
  config?: string | null;
  delta?: string | null;
}

/** Column types, for a statement whose values PostgreSQL cannot type from the target columns (INSERT ... SELECT). */
const COLUMN_TYPES = {
  number: 'bigint', hash: 'text', parent: 'bigint', created_at: 'double precision', source: 'text', summary: 'text', config: 'text', delta: 'text',
} as const;

/** A chain of releases a store wrote: its newest release, and deltas and delta rows since its full base. */
type Chain = { readonly number: number; readonly deltas: number; readonly rows: number };

/** A release row about to be written, and this store's chain once it is. */
interface Written {
  readonly row: {
    number: number; hash: string; parent: number | null; created_at: number; source: string; summary: string; config: string | null; delta: string | null;
  };
  readonly chain: Chain;
}

export interface LatestRelease {
  readonly number: number;
  readonly hash: string;
}

/** What the writer knows when it appends: the configuration, and (when it holds it) its parent's. */
export interface AppendInput {
  readonly hash: string;
  readonly config: Snapshot;
  readonly source: ReleaseSource;
  /** The release the writer built from; a delta is stored only when it is still the latest. */
  readonly base?: { readonly number: number; readonly hash: string; readonly config: Snapshot };
  /** The delta from `base` to `config` when the writer knows it (saves diffing every row of the configuration). */
  readonly delta?: SnapshotDelta;
  /** Record even when the latest release has the same hash (a rollback to what is already served). */
  readonly force?: boolean;
}

function toRelease(row: ReleaseRow): Release {
  return {
    number: Number(row.number),
    hash: row.hash,
    parent: row.parent === null ? null : Number(row.parent),
    created_at: Number(row.created_at),
    source: JSON.parse(row.source) as ReleaseSource,
    summary: JSON.parse(row.summary) as ReleaseSummary,
  };
}

/** Whether a write failed on a primary key or unique index (SQLite or PostgreSQL). */
export function isUniqueViolation(err: unknown): boolean {
  const e = err as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e.driverError?.code ?? e.code;
  return code === '23505' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || /UNIQUE constraint failed|duplicate key/i.test(e.message ?? '');
}

/** Whether rows (sorted by id, as every export and every built version keeps them) hold `id`: O(log n). */
function holds(rows: ReadonlyArray<{ id: string }>, id: string): boolean {
  let lo = 0;
  let hi = rows.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const at = rows[mid].id;
    if (at === id) return true;
    if (at < id) lo = mid + 1;
    else hi = mid - 1;
  }
  return false;
}

/** Rows created/updated/deleted per entity by `delta` applied to `before`; costs the delta, not the config. */
export function summarize(before: Snapshot, delta: SnapshotDelta): ReleaseSummary {
  const summary: ReleaseSummary = {};
  const entry = (entity: string) => (summary[entity] ??= { created: 0, updated: 0, deleted: 0 });
  const prev = before as unknown as Record<string, ReadonlyArray<{ id: string }> | undefined>;
  for (const [entity, rows] of Object.entries(delta.upserts)) {
    const known = prev[entity] ?? [];
    for (const row of rows) entry(entity)[holds(known, row.id) ? 'updated' : 'created']++;
  }
  // a row created and deleted again within one release is in the delta's deletes but was never in `before`
  for (const [entity, ids] of Object.entries(delta.deletes)) for (const id of ids) if (holds(prev[entity] ?? [], id)) entry(entity).deleted++;
  return summary;
}

const EMPTY: Snapshot = { _format_version: '3.0' } as Snapshot;

export class ReleaseStore {
  /** The chain this store last wrote. */
  private chain: Chain | null = null;

  /** `history`: config_release_history, how many releases are listed. */
  constructor(private readonly db: ReleaseDb, readonly history: number) {}

  private statements<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.db.statements ? this.db.statements(work) : this.db.transact(work);
  }

  private get reader(): EntityManager {
    return this.db.dataSource.manager;
  }

  async latest(manager: EntityManager = this.reader): Promise<LatestRelease | null> {
    const row: ReleaseRow | undefined = await manager.createQueryBuilder().select(['r.number AS number', 'r.hash AS hash'])
      .from(RELEASES_TABLE, 'r').orderBy('r.number', 'DESC').limit(1).getRawOne();
    return row ? { number: Number(row.number), hash: row.hash } : null;
  }

  /** Appends a release unless the latest already has this hash (another control plane recorded it); null then. */
  async append(input: AppendInput): Promise<Release | null> {
    const written = (input.base && (input.force || input.base.hash !== input.hash) ? await this.appendAfter(input.base, input) : null)
      ?? (await this.appendToLatest(input));
    if (!written) return null;
    // set once the row is committed: a rolled-back insert must not count
    this.chain = written.chain;
    if (written.row.number % PRUNE_EVERY === 0) await this.statements((manager) => this.prune(manager, written.row.number));
    return toRelease(written.row as unknown as ReleaseRow);
  }

  /**
   * The write path of a writer that holds the latest release (what the recorder knows it recorded last): one
   * statement, which inserts nothing when a newer release exists, and the primary key refuses a racing writer's
   * same number. Null then, and the caller appends after whatever is latest.
   */
  private async appendAfter(base: NonNullable<AppendInput['base']>, input: AppendInput): Promise<Written | null> {
    const delta = input.delta ?? diffSnapshots(base.config, input.config);
    const written = this.prepare(input, base.number + 1, base.number, base.config, delta, this.chain?.number === base.number ? this.chain : null);
    try {
      const inserted = await this.statements((manager) => {
        const columns = Object.keys(written.row) as Array<keyof Written['row']>;
        const [sql, params] = manager.connection.driver.escapeQueryWithParameters(
          `INSERT INTO ${RELEASES_TABLE} (${columns.join(', ')}) SELECT ${columns.map((c) => `CAST(:${c} AS ${COLUMN_TYPES[c]})`).join(', ')}`
            + ` WHERE NOT EXISTS (SELECT 1 FROM ${RELEASES_TABLE} WHERE number > :parent) RETURNING number`,
          written.row, {});
        return manager.query(sql, params) as Promise<unknown[]>;
      });
      return inserted.length ? written : null;
    } catch (err) {
      if (isUniqueViolation(err)) return null;
      throw err;
    }
  }

  /** Reads the latest release in a transaction and appends after it; retried when another writer took the number. */
  private async appendToLatest(input: AppendInput): Promise<Written | null> {
    for (let attempt = 0; ; attempt++) {
      try {
        return await this.db.transact(async (manager) => {
          const latest = await this.latest(manager);
          if (latest && latest.hash === input.hash && !input.force) return null;
          const fromBase = latest !== null && input.base !== undefined && input.base.number === latest.number && input.base.hash === latest.hash;
          const parentConfig = (!latest ? EMPTY : fromBase ? input.base!.config : await this.configOf(latest.number, manager)) ?? EMPTY;
          const delta = fromBase && input.delta ? input.delta : diffSnapshots(parentConfig, input.config);
          const chain = fromBase && this.chain?.number === latest.number ? this.chain : null;
          const written = this.prepare(input, (latest?.number ?? 0) + 1, latest?.number ?? null, parentConfig, delta, chain);
          await manager.createQueryBuilder().insert().into(RELEASES_TABLE).values(written.row).execute();
          return written;
        });
      } catch (err) {
        if (!isUniqueViolation(err) || attempt >= INSERT_ATTEMPTS) throw err;
      }
    }
  }

  /** The row of release `number` after `parent`, full or a delta (see the top of this file), and the chain after it. */
  private prepare(input: AppendInput, number: number, parent: number | null, parentConfig: Snapshot, delta: SnapshotDelta, chain: Chain | null): Written {
    const rows = deltaRows(delta);
    const full = !chain || chain.deltas + 1 >= FULL_EVERY || chain.rows + rows >= rowsIn(input.config);
    return {
      row: {
        number,
        hash: input.hash,
        parent,
        created_at: Math.round(Date.now()) / 1000,
        source: JSON.stringify(input.source),
        summary: JSON.stringify(summarize(parentConfig, delta)),
        config: full ? JSON.stringify(input.config) : null,
        delta: full ? null : JSON.stringify(delta),
      },
      chain: full ? { number, deltas: 0, rows: 0 } : { number, deltas: chain.deltas + 1, rows: chain.rows + rows },
    };
  }

  /**
   * Rows older than what must be kept go, except those the oldest kept release still needs: its nearest full
   * ancestor and the deltas after it. Kept: the history, and the baseline of an open rollout (data planes the
   * rollout has not reached are served it, and aborting rolls back to it), however long the rollout stays open.
   * The full ancestor is looked up inside the DELETE: one round trip.
   */
  private async prune(manager: EntityManager, latest: number): Promise<void> {
    const keep = await this.keptFrom(latest, manager);
    if (keep <= 1) return;
    await manager.createQueryBuilder().delete().from(RELEASES_TABLE)
      .where(`number < (SELECT MAX(f.number) FROM ${RELEASES_TABLE} f WHERE f.number <= :keep AND f.config IS NOT NULL)`, { keep })
      .execute();
  }

  /** The oldest release kept: the oldest listed one, or an open rollout's older baseline. */
  private async keptFrom(latest: number, manager: EntityManager = this.reader): Promise<number> {
    const listed = Math.max(1, latest - this.history + 1);
    const open: { n: string | number | null } | undefined = await manager.createQueryBuilder().select('MIN(o.baseline)', 'n')
      .from(ROLLOUTS_TABLE, 'o').where('o.state = :open', { open: 'open' }).getRawOne();
    return open?.n === null || open?.n === undefined ? listed : Math.min(listed, Number(open.n));
  }

  /** The oldest release still listed (older rows may exist only as bases of deltas, or await pruning). */
  private async oldestListed(): Promise<number> {
    const latest = await this.latest();
    return latest ? Math.max(1, latest.number - this.history + 1) : 1;
  }

  /** A release that is kept: listed, or an open rollout's baseline (or newer) that left the history. */
  async get(number: number): Promise<Release | null> {
    const latest = await this.latest();
    if (!latest || number < (await this.keptFrom(latest.number))) return null;
    const row: ReleaseRow | undefined = await this.reader.createQueryBuilder()
      .select(['r.number AS number', 'r.hash AS hash', 'r.parent AS parent', 'r.created_at AS created_at', 'r.source AS source', 'r.summary AS summary'])
      .from(RELEASES_TABLE, 'r').where('r.number = :number', { number }).getRawOne();
    return row ? toRelease(row) : null;
  }

  /** Newest first; `skip` releases skipped. */
  async list(size: number, skip: number): Promise<{ releases: Release[]; more: boolean }> {
    const floor = await this.oldestListed();
    const rows: ReleaseRow[] = await this.reader.createQueryBuilder()
      .select(['r.number AS number', 'r.hash AS hash', 'r.parent AS parent', 'r.created_at AS created_at', 'r.source AS source', 'r.summary AS summary'])
      .from(RELEASES_TABLE, 'r').where('r.number >= :floor', { floor }).orderBy('r.number', 'DESC').offset(skip).limit(size + 1).getRawMany();
    return { releases: rows.slice(0, size).map(toRelease), more: rows.length > size };
  }

  /**
   * The newest release number of each hash, given as Kong's 32-character form (what data planes are listed with);
   * hashes without a release are left out.
   */
  async numbersByHash32(hashes: readonly string[]): Promise<Map<string, number>> {
    const out = new Map<string, number>();
    for (const hash32 of new Set(hashes)) {
      if (!/^[0-9a-f]{32}$/.test(hash32)) continue;
      const row: { n: string | number | null } | undefined = await this.reader.createQueryBuilder().select('MAX(r.number)', 'n')
        .from(RELEASES_TABLE, 'r').where('r.hash LIKE :prefix', { prefix: `${hash32}%` }).getRawOne();
      if (row?.n !== null && row?.n !== undefined) out.set(hash32, Number(row.n));
    }
    return out;
  }

  /** The configuration of a release, rebuilt from its nearest full ancestor; null when unknown or pruned. */
  async configOf(number: number, manager: EntityManager = this.reader): Promise<Snapshot | null> {
    const base: { n: string | number | null } | undefined = await manager.createQueryBuilder().select('MAX(r.number)', 'n')
      .from(RELEASES_TABLE, 'r').where('r.number <= :n AND r.config IS NOT NULL', { n: number }).getRawOne();
    if (base?.n === null || base?.n === undefined) return null;
    const rows: ReleaseRow[] = await manager.createQueryBuilder().select(['r.number AS number', 'r.hash AS hash', 'r.config AS config', 'r.delta AS delta'])
      .from(RELEASES_TABLE, 'r').where('r.number >= :from AND r.number <= :to', { from: Number(base.n), to: number }).orderBy('r.number', 'ASC').getRawMany();
    if (!rows.length || Number(rows[rows.length - 1].number) !== number) return null;
    // the first row is the full base (the newest full one at or before `number`), the others deltas
    const composed = new DeltaComposer();
    for (const row of rows.slice(1)) composed.add(JSON.parse(row.delta ?? '{"upserts":{},"deletes":{}}') as SnapshotDelta);
    const config = applyDelta(JSON.parse(rows[0].config!) as Snapshot, composed.toDelta());
    const last = rows[rows.length - 1];
    // a chain that does not hash to what was recorded is a bug; serving it would be worse than refusing
    // (releases recorded before bucketed hashing carry the hash of that time)
    if (hashSnapshot(config) !== last.hash && legacyHashSnapshot(config) !== last.hash) throw new Error(`release ${number} does not rebuild to its recorded hash`);
    return config;
  }
}
