// The IPC vocabulary between the supervisor (primary) and data-plane workers. Snapshots use the same shape the
// proxy's IPC provider reads: { type: 'snapshot', snapshot }. After its first full snapshot a worker gets each
// version as a delta from the previous one (a one-route change on 10,000 routes is one row, not megabytes of
// JSON per worker); IPC is ordered, so the base is the version it holds, and a worker that finds otherwise
// asks for the full snapshot again ('resync').
import type { Settings } from '@tollgate/config';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import type { SnapshotDelta } from '@tollgate/declarative';

export interface BoundListener {
  readonly key: string; // 'proxy_listen', 'admin_listen', ...
  readonly listener: string; // as configured
  readonly address: string;
  readonly port: number;
}

export type ToWorker =
  | { type: 'init'; settings: Settings }
  | { type: 'snapshot'; snapshot: VersionedSnapshot }
  | { type: 'delta'; hash: string; version: number; base_hash: string; delta: SnapshotDelta }
  | { type: 'shutdown'; timeoutMs: number }
  | { type: 'metrics-request'; id: number };

export type FromWorker =
  | { type: 'listening'; listeners: BoundListener[] }
  | { type: 'applied'; hash: string }
  | { type: 'resync'; hash: string | null }
  | { type: 'fatal'; message: string }
  | { type: 'metrics'; id: number; data: unknown[] };
