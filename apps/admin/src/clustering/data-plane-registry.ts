// The data planes this control plane has heard from, for GET /clustering/data-planes and /clustering/status.
// Kept in memory: each control plane lists the data planes that pull from it (Kong persists the rows in its
// database; with several control planes, ask each one). An entry is refreshed on every pull and dropped after
// cluster_data_plane_purge_delay seconds of silence.
import type { SyncStatus } from '../../../proxy/src/provider/remote/protocol';

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
}

export type DataPlaneView = DataPlaneRecord & { readonly ttl: number };

export type DataPlaneReport = Omit<DataPlaneRecord, 'last_seen' | 'created_at' | 'updated_at' | 'rpc_capabilities'>;

export class DataPlaneRegistry {
  private readonly records = new Map<string, DataPlaneRecord>();

  constructor(private readonly purgeDelaySeconds: number, private readonly clock: () => number = () => Date.now()) {}

  /** Upserts the data plane's row (every pull, like Kong's upsert on every ping). */
  report(report: DataPlaneReport): void {
    const now = Math.floor(this.clock() / 1000);
    const previous = this.records.get(report.id);
    this.records.set(report.id, { ...report, last_seen: now, created_at: previous?.created_at ?? now, updated_at: now, rpc_capabilities: [] });
  }

  /** Changes only the sync status (the verdict is reached after the row was reported). */
  setStatus(id: string, status: SyncStatus): void {
    const record = this.records.get(id);
    if (record) this.records.set(id, { ...record, sync_status: status });
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
    for (const [id, record] of this.records) if (record.last_seen < cutoff) this.records.delete(id);
  }
}
