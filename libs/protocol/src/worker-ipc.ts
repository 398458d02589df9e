// The IPC vocabulary between the supervisor (primary) and data-plane workers (apps/proxy's IpcConfigProvider
// reads the snapshot messages). After its first full snapshot a worker gets each
// version as a delta from the previous one (a one-route change on 10,000 routes is one row, not megabytes of
// JSON per worker); IPC is ordered, so the base is the version it holds, and a worker that finds otherwise
// asks for the full snapshot again ('resync').
import type { Settings } from '@tollgate/config';
import type { DnsStatsReport } from '@tollgate/errors';
import type { acme, NodeCacheReply, NodeCacheRequest, StoreReply, StoreRequest } from '@tollgate/plugins';
import type { HealthAnswer, HealthQuery } from './health';
import type { ReleaseCounts } from './release-stats';
import type { DeltaPayload, SnapshotMessage } from './snapshot-delivery';

export interface BoundListener {
  readonly key: string; // 'proxy_listen', 'admin_listen', ...
  readonly listener: string; // as configured
  readonly address: string;
  readonly port: number;
}

export type ToWorker =
  | { type: 'init'; settings: Settings }
  | SnapshotMessage
  | DeltaPayload
  | { type: 'shutdown'; timeoutMs: number }
  | { type: 'reopen-logs' }
  | { type: 'metrics-request'; id: number }
  | { type: 'health-request'; id: number; query: HealthQuery }
  | { type: 'dns-stats-request'; id: number }
  | { type: 'log-level'; level: string }
  | StoreReply
  | NodeCacheReply
  | acme.AcmeReply;

export type FromWorker =
  | { type: 'listening'; listeners: BoundListener[] }
  | { type: 'applied'; hash: string }
  /** The worker could not apply the version (it keeps serving the one before): never acknowledged as applied. */
  | { type: 'rejected'; hash: string }
  | { type: 'resync'; hash: string | null }
  | { type: 'fatal'; message: string }
  | { type: 'metrics'; id: number; data: unknown[] }
  /** hash -> [requests, 5xx answers] since the worker's last report (hybrid data planes). */
  | { type: 'release-stats'; stats: ReleaseCounts }
  | { type: 'health'; id: number; answer: HealthAnswer }
  /** The worker's upstream DNS statistics (new_dns_client = on), {} when it keeps none. */
  | { type: 'dns-stats'; id: number; stats: DnsStatsReport }
  | StoreRequest
  | NodeCacheRequest
  | acme.AcmeRequest;
