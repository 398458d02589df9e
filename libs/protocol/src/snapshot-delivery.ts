// How a configuration travels from the control plane to data planes and on to workers: a full snapshot, or a
// delta from a version the receiver holds. The same delta shape is the cluster pull's 200 body and the
// supervisor's IPC message to a worker; both sides identify versions by hashSnapshot's hash.
import type { SnapshotDelta, VersionedSnapshot } from '@tollgate/declarative';

export { configHash32, EMPTY_CONFIG_HASH32, hashSnapshot } from '@tollgate/declarative';
export type { Snapshot, SnapshotDelta, VersionedSnapshot } from '@tollgate/declarative';

/** A version as the change from the one with `base_hash` (the one the receiver reported or holds). */
export interface DeltaPayload {
  readonly type: 'delta';
  readonly hash: string;
  readonly version: number;
  /** The hash the delta applies to. */
  readonly base_hash: string;
  readonly delta: SnapshotDelta;
}

/** A full snapshot over IPC (supervisor -> worker). */
export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly snapshot: VersionedSnapshot;
}

/** How a snapshot was obtained when it came as a delta: consumers holding `base_hash` can forward it as is. */
export interface SnapshotOrigin {
  readonly base_hash: string;
  readonly delta: SnapshotDelta;
}

/**
 * `origin` lets consumers holding the previous version skip diffing 10,000 rows to find the one that changed.
 * A listener that applies the snapshot returns false when it could not (the one before keeps serving); any other
 * value counts as applied.
 */
export type SnapshotListener = (snapshot: VersionedSnapshot, origin?: SnapshotOrigin) => unknown;
