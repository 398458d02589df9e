// The IPC vocabulary between the supervisor (primary) and data-plane workers. Snapshots use the same shape the
// proxy's IPC provider reads: { type: 'snapshot', snapshot }.
import type { Settings } from '@tollgate/config';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';

export interface BoundListener {
  readonly key: string; // 'proxy_listen', 'admin_listen', ...
  readonly listener: string; // as configured
  readonly address: string;
  readonly port: number;
}

export type ToWorker =
  | { type: 'init'; settings: Settings }
  | { type: 'snapshot'; snapshot: VersionedSnapshot }
  | { type: 'shutdown'; timeoutMs: number };

export type FromWorker =
  | { type: 'listening'; listeners: BoundListener[] }
  | { type: 'applied'; hash: string }
  | { type: 'fatal'; message: string };
