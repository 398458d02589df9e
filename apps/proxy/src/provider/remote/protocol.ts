// The pull protocol between data planes and the control plane's cluster listener (mutual TLS, HTTP/1.1):
//   GET /v1/config?node_id&node_hostname&node_version&config_hash&labels&plugins&wait
// 200 -> a ConfigPayload (compressed), 304 -> nothing newer within the hold, 409 -> incompatible (body says why).
// Plain TypeScript on purpose: the control plane imports it too, so the two sides cannot drift.
import type { Snapshot, SnapshotDelta } from '@tollgate/declarative';
import packageJson from '../../../../../package.json';

export const CONFIG_PATH = '/v1/config';

/** SNI a data plane sends in `cluster_mtls = shared` (Kong's value, so Kong-style tooling recognises it). */
export const SHARED_MTLS_SERVER_NAME = 'kong_clustering';

/** How long the control plane holds a pull with nothing newer (the data plane may ask for less with `wait`). */
export const DEFAULT_HOLD_MS = 30_000;
export const MAX_HOLD_MS = 60_000;

/** The Tollgate release a node runs; the version compatibility rules (Kong §5.4) compare these. */
export const NODE_VERSION: string = packageJson.version;

export type SyncStatus =
  | 'unknown'
  | 'normal'
  | 'kong_version_incompatible'
  | 'plugin_set_incompatible'
  | 'plugin_version_incompatible';

export interface PullQuery {
  readonly node_id: string;
  readonly node_hostname: string;
  readonly node_version: string;
  /** Full hash of the config the data plane holds ('' for none). */
  readonly config_hash: string;
  readonly labels: Readonly<Record<string, string>>;
  /** Plugins the data plane can run; `bundled` stands for every plugin shipped with its release. */
  readonly plugins: readonly string[];
  readonly wait?: number;
}

export interface FullPayload {
  readonly type: 'full';
  readonly hash: string;
  readonly version: number;
  readonly config: Snapshot;
}

export interface DeltaPayload {
  readonly type: 'delta';
  readonly hash: string;
  readonly version: number;
  /** The hash the delta applies to: the one the data plane reported. */
  readonly base_hash: string;
  readonly delta: SnapshotDelta;
}

export type ConfigPayload = FullPayload | DeltaPayload;

/** Body of a 409: the data plane logs `message` and keeps the config it has. */
export interface IncompatibleBody {
  readonly message: string;
  readonly sync_status: SyncStatus;
}

export function encodePullQuery(q: PullQuery): string {
  const params = new URLSearchParams({
    node_id: q.node_id,
    node_hostname: q.node_hostname,
    node_version: q.node_version,
    config_hash: q.config_hash,
    labels: JSON.stringify(q.labels),
    plugins: q.plugins.join(','),
  });
  if (q.wait !== undefined) params.set('wait', String(q.wait));
  return `${CONFIG_PATH}?${params.toString()}`;
}
