// Where configuration comes from. A provider calls onSnapshot for every snapshot it obtains; the data plane
// applies it (an unchanged hash is skipped there). The hybrid issue adds a remote-pull provider.
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import type { SnapshotDelta } from '@tollgate/declarative/delta';

/** How a snapshot was obtained when it came as a delta: consumers holding `base_hash` can forward it as is. */
export interface SnapshotOrigin {
  readonly base_hash: string;
  readonly delta: SnapshotDelta;
}

export type SnapshotListener = (snapshot: VersionedSnapshot, origin?: SnapshotOrigin) => void;

export interface ConfigProvider {
  /** Begins delivering snapshots; resolves once the first one (if any is available at once) was delivered. */
  start(onSnapshot: SnapshotListener): Promise<void>;
  stop(): Promise<void>;
}
