// Where configuration comes from. A provider calls onSnapshot for every snapshot it obtains; the data plane
// applies it (an unchanged hash is skipped there). The hybrid issue adds a remote-pull provider.
import type { SnapshotListener } from '@tollgate/protocol';

export type { SnapshotListener, SnapshotOrigin } from '@tollgate/protocol';

export interface ConfigProvider {
  /** Begins delivering snapshots; resolves once the first one (if any is available at once) was delivered. */
  start(onSnapshot: SnapshotListener): Promise<void>;
  stop(): Promise<void>;
}
