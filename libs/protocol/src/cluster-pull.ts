// The pull protocol between data planes and the control plane's cluster listener (mutual TLS, HTTP/1.1):
//   GET /v1/config?node_id&node_hostname&node_version&config_hash&labels&plugins&wait[&release_stats]
// 200 -> a ConfigPayload (compressed), 304 -> nothing newer within the hold, 409 -> incompatible (body says why).
// One definition for both sides (apps/admin serves it, apps/proxy pulls it), so they cannot drift.
import type { Snapshot } from '@tollgate/declarative';
import packageJson from '../../../package.json';
import type { DeltaPayload } from './snapshot-delivery';
import type { ReleaseCounts } from './release-stats';

export const CONFIG_PATH = '/v1/config';

/** On 200 and 304: the config release the payload (or the data plane's held configuration) is, when recorded. */
export const RELEASE_HEADER = 'x-tollgate-release';

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
  /** Requests served and 5xx answers per configuration hash since the data plane started (staged rollouts). */
  readonly release_stats?: Readonly<ReleaseCounts>;
}

export interface FullPayload {
  readonly type: 'full';
  readonly hash: string;
  readonly version: number;
  readonly config: Snapshot;
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
  if (q.release_stats && Object.keys(q.release_stats).length) params.set('release_stats', JSON.stringify(q.release_stats));
  return `${CONFIG_PATH}?${params.toString()}`;
}
