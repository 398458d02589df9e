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

export type ParsedConfigPayload = { readonly ok: true; readonly payload: ConfigPayload } | { readonly ok: false; readonly reason: string };

const PAYLOAD_HASH = /^[0-9a-f]{64}$/;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isRow = (v: unknown): boolean => isObject(v) && typeof v.id === 'string';

/**
 * A 200 body as the data plane receives it, checked for the shape both sides agree on before anything acts on it:
 * a body that is not this shape is the control plane's (or an impostor's) fault, reported as such, and never
 * reaches the hash check, the delta merge or the workers. Entity fields are the compiler's to judge.
 */
export function parseConfigPayload(body: Buffer): ParsedConfigPayload {
  let value: unknown;
  try {
    value = JSON.parse(body.toString('utf8'));
  } catch (err) {
    return { ok: false, reason: `payload is not JSON (${(err as Error).message})` };
  }
  const bad = (what: string): ParsedConfigPayload => ({ ok: false, reason: `payload ${what}` });
  if (!isObject(value)) return bad('is not a JSON object');
  if (value.type !== 'full' && value.type !== 'delta') return bad(`has an unknown type ${JSON.stringify(value.type)?.slice(0, 40)}`);
  if (typeof value.hash !== 'string' || !PAYLOAD_HASH.test(value.hash)) return bad("has no 'hash' of 64 hex characters");
  if (!Number.isSafeInteger(value.version)) return bad("has no integer 'version'");
  if (value.type === 'full') {
    if (!isObject(value.config)) return bad("has no 'config' object");
    for (const [name, rows] of Object.entries(value.config)) {
      if (Array.isArray(rows) && !rows.every(isRow)) return bad(`collection '${name}' holds a row without a string 'id'`);
    }
    return { ok: true, payload: value as unknown as FullPayload };
  }
  if (typeof value.base_hash !== 'string' || !PAYLOAD_HASH.test(value.base_hash)) return bad("has no 'base_hash' of 64 hex characters");
  const delta = value.delta;
  if (!isObject(delta) || !isObject(delta.upserts) || !isObject(delta.deletes)) return bad("has no 'delta' with 'upserts' and 'deletes' objects");
  for (const [name, rows] of Object.entries(delta.upserts)) {
    if (!Array.isArray(rows) || !rows.every(isRow)) return bad(`upserts '${name}' is not a list of rows with a string 'id'`);
  }
  for (const [name, ids] of Object.entries(delta.deletes)) {
    if (!Array.isArray(ids) || !ids.every((id) => typeof id === 'string')) return bad(`deletes '${name}' is not a list of ids`);
  }
  return { ok: true, payload: value as unknown as DeltaPayload };
}
