// The data planes this control plane has heard from, for GET /clustering/data-planes and /clustering/status.
// Kept in memory for the pull path, and written through to the database when a `sink` is given (a control plane
// with a database: cluster/registry/data-plane-store.ts), so every control plane can list the whole fleet, as
// Kong's clustering_data_planes table does. An entry is refreshed on every pull and dropped after
// cluster_data_plane_purge_delay seconds of silence.
import type { SyncStatus } from '@tollgate/protocol';

export interface DataPlaneRecord {
  readonly id: string;
  readonly ip: string;
  readonly hostname: string;
  readonly version: string;
  readonly sync_status: SyncStatus;
  /** 32 hex characters, Kong's length; zeros when the data plane holds nothing. */
  readonly config_hash: string;
  /** Epoch seconds. */
  readonly last_seen: number;
  readonly created_at: number;
  readonly updated_at: number;
  readonly labels: Readonly<Record<string, string>>;
  readonly cert_details: { readonly expiry_timestamp: number | null };
  readonly rpc_capabilities: readonly string[];
  /** Requests served and 5xx answers per configuration hash, as the data plane last reported them. */
  readonly release_stats: Readonly<Record<string, readonly [number, number]>>;
}

export type DataPlaneView = DataPlaneRecord & { readonly ttl: number };

export type DataPlaneReport = Omit<DataPlaneRecord, 'last_seen' | 'created_at' | 'updated_at' | 'rpc_capabilities' | 'release_stats'> & {
  readonly release_stats?: DataPlaneRecord['release_stats'];
};

/** Where rows are persisted; called with the full record whenever it is worth writing. */
export interface DataPlaneSink {
  save(record: DataPlaneRecord): void;
}

/** A row unchanged but for last_seen is written at most this often (Kong's data planes ping every 30 s). */
export const SINK_REFRESH_SECONDS = 30;

const SAME_KEYS = ['ip', 'hostname', 'version', 'sync_status', 'config_hash'] as const;

function sameRow(a: DataPlaneRecord, b: DataPlaneRecord): boolean {
  return SAME_KEYS.every((k) => a[k] === b[k]) && JSON.stringify(a.labels) === JSON.stringify(b.labels)
    && JSON.stringify(a.release_stats) === JSON.stringify(b.release_stats);
}

export class DataPlaneRegistry {
  private readonly records = new Map<string, DataPlaneRecord>();
  private readonly saved = new Map<string, { record: DataPlaneRecord; at: number }>();

  constructor(
    private readonly purgeDelaySeconds: number,
    private readonly clock: () => number = () => Date.now(),
    readonly sink: DataPlaneSink | null = null,
  ) {}

  /** Upserts the data plane's row (every pull, like Kong's upsert on every ping). */
  report(report: DataPlaneReport): void {
    const now = Math.floor(this.clock() / 1000);
    const previous = this.records.get(report.id);
    this.put({ ...report, release_stats: report.release_stats ?? {}, last_seen: now, created_at: previous?.created_at ?? now, updated_at: now, rpc_capabilities: [] }, now);
  }

  /** Changes only the sync status (the verdict is reached after the row was reported). */
  setStatus(id: string, status: SyncStatus): void {
    const record = this.records.get(id);
    if (record && record.sync_status !== status) this.put({ ...record, sync_status: status }, Math.floor(this.clock() / 1000));
  }

  private put(record: DataPlaneRecord, now: number): void {
    this.records.set(record.id, record);
    if (!this.sink) return;
    const saved = this.saved.get(record.id);
    if (saved && sameRow(saved.record, record) && now - saved.at < SINK_REFRESH_SECONDS) return;
    this.saved.set(record.id, { record, at: now });
    this.sink.save(record);
  }

  get(id: string): DataPlaneView | undefined {
    this.purge();
    const record = this.records.get(id);
    return record && this.view(record);
  }

  /** Sorted by id, as Kong's paged collections. */
  list(): DataPlaneView[] {
    this.purge();
    return [...this.records.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((r) => this.view(r));
  }

  private view(record: DataPlaneRecord): DataPlaneView {
    const now = Math.floor(this.clock() / 1000);
    return { ...record, ttl: Math.max(0, record.last_seen + this.purgeDelaySeconds - now) };
  }

  private purge(): void {
    const cutoff = Math.floor(this.clock() / 1000) - this.purgeDelaySeconds;
    for (const [id, record] of this.records) {
      if (record.last_seen >= cutoff) continue;
      this.records.delete(id);
      this.saved.delete(id);
    }
  }
}
