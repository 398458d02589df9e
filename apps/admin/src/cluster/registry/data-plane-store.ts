// The data-plane registry in the database (table clustering_data_planes, as Kong keeps it): every control plane
// writes the rows of the data planes that pull from it, and any control plane lists the whole fleet. A row lives
// until `expires_at` (last seen + cluster_data_plane_purge_delay), Kong's TTL. Writes are batched (SAVE_BATCH_MS)
// and go through the Dao's serialised transactions.
import type { EntityManager } from 'typeorm';
import { DATA_PLANES_TABLE } from '../../persistence/migrations/0002-config-releases';
import type { DataPlaneRecord } from '../../clustering/data-plane-registry';

export interface DataPlaneDb {
  transact<T>(work: (manager: EntityManager) => Promise<T>): Promise<T>;
  readonly dataSource: { readonly manager: EntityManager };
}

interface Row {
  id: string;
  ip: string;
  hostname: string;
  version: string;
  sync_status: string;
  config_hash: string;
  release: string | number | null;
  labels: string;
  cert_details: string;
  release_stats: string;
  last_seen: string | number;
  created_at: string | number;
  updated_at: string | number;
  expires_at: string | number;
}

export type StoredDataPlane = DataPlaneRecord & { readonly expires_at: number };

function toRecord(row: Row): StoredDataPlane {
  return {
    id: row.id,
    ip: row.ip,
    hostname: row.hostname,
    version: row.version,
    sync_status: row.sync_status as DataPlaneRecord['sync_status'],
    config_hash: row.config_hash,
    labels: JSON.parse(row.labels) as Record<string, string>,
    cert_details: JSON.parse(row.cert_details) as DataPlaneRecord['cert_details'],
    last_seen: Number(row.last_seen),
    created_at: Number(row.created_at),
    updated_at: Number(row.updated_at),
    rpc_capabilities: [],
    release_stats: JSON.parse(row.release_stats || '{}') as DataPlaneRecord['release_stats'],
    expires_at: Number(row.expires_at),
  };
}

/** How long registry writes gather before one transaction writes them. */
export const SAVE_BATCH_MS = 200;

export class DataPlaneStore {
  private pending = new Map<string, DataPlaneRecord>();
  private flushing: Promise<void> | null = null;
  private scheduled = false;

  constructor(
    private readonly db: DataPlaneDb,
    private readonly purgeDelaySeconds: number,
    private readonly log: { error(msg: string): void } = { error: () => {} },
  ) {}

  /** Queues the row for the next batch (the newest record of a data plane wins). */
  save(record: DataPlaneRecord): void {
    this.pending.set(record.id, record);
    if (this.scheduled) return;
    this.scheduled = true;
    // After a change every data plane pulls within milliseconds: one transaction for all of them, written once
    // the configuration has gone out (list() flushes first, so this control plane never reads a stale row).
    setTimeout(() => {
      this.scheduled = false;
      void this.flush();
    }, SAVE_BATCH_MS);
  }

  /** Writes what is queued; resolves when it is in the database. */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.pending.size) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    this.flushing = this.db
      .transact(async (manager) => {
        for (const record of batch) await this.upsert(manager, record);
      })
      .catch((err: unknown) => this.log.error(`writing the data-plane registry failed: ${(err as Error).message}`))
      .finally(() => (this.flushing = null));
    await this.flushing;
  }

  private async upsert(manager: EntityManager, r: DataPlaneRecord): Promise<void> {
    const existing: { created_at: string | number } | undefined = await manager.createQueryBuilder().select('d.created_at', 'created_at')
      .from(DATA_PLANES_TABLE, 'd').where('d.id = :id', { id: r.id }).getRawOne();
    const values = {
      ip: r.ip,
      hostname: r.hostname,
      version: r.version,
      sync_status: r.sync_status,
      config_hash: r.config_hash,
      release: null,
      labels: JSON.stringify(r.labels),
      cert_details: JSON.stringify(r.cert_details),
      release_stats: JSON.stringify(r.release_stats),
      last_seen: r.last_seen,
      updated_at: r.updated_at,
      expires_at: r.last_seen + this.purgeDelaySeconds,
    };
    if (existing) await manager.createQueryBuilder().update(DATA_PLANES_TABLE).set(values).where('id = :id', { id: r.id }).execute();
    else await manager.createQueryBuilder().insert().into(DATA_PLANES_TABLE).values({ id: r.id, created_at: r.created_at, ...values }).execute();
  }

  /** Every data plane whose row has not expired, by id; expired rows are deleted on the way. */
  async list(nowSeconds = Math.floor(Date.now() / 1000)): Promise<StoredDataPlane[]> {
    await this.flush();
    await this.db.transact((manager) => manager.createQueryBuilder().delete().from(DATA_PLANES_TABLE).where('expires_at < :now', { now: nowSeconds }).execute());
    const rows: Row[] = await this.db.dataSource.manager.createQueryBuilder().select('d.*').from(DATA_PLANES_TABLE, 'd').orderBy('d.id', 'ASC').getRawMany();
    return rows.map(toRecord);
  }
}
