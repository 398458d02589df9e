// Configuration from the supervisor: the provider of every data-plane worker the CLI forks (apps/cli
// supervisor/dp-worker.ts). The supervisor sends a full snapshot first, then each version as a delta from the
// one before (libs/protocol worker-ipc.ts); IPC is ordered, so a delta for another base means a message was
// missed and the worker asks for the full snapshot again ('resync'). Each applied version is acknowledged.
import { applyDelta } from '@tollgate/declarative/delta';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import type { FromWorker, ToWorker } from '@tollgate/protocol';
import type { ConfigProvider, SnapshotListener } from './types';

/** The IPC endpoint; `process` in a forked worker. */
export interface IpcChannel {
  on(event: 'message', listener: (message: ToWorker) => void): unknown;
  off(event: 'message', listener: (message: ToWorker) => void): unknown;
  send?(message: FromWorker): boolean;
}

export class IpcConfigProvider implements ConfigProvider {
  private deliver: ((snapshot: VersionedSnapshot) => void) | null = null;
  /** A snapshot that arrived before start(): delivered then. */
  private pending: VersionedSnapshot | null = null;
  /** The newest version received: the base the next delta must name. */
  private held: VersionedSnapshot | null = null;

  /** Listens from construction: the supervisor may send the snapshot while the data plane is still starting. */
  constructor(private readonly channel: IpcChannel = process as unknown as IpcChannel) {
    channel.on('message', this.onMessage);
  }

  private readonly onMessage = (msg: ToWorker): void => {
    if (msg?.type === 'snapshot') return this.receive(msg.snapshot);
    if (msg?.type !== 'delta') return;
    const held = this.held;
    if (held === null || held.hash !== msg.base_hash) {
      this.channel.send?.({ type: 'resync', hash: held?.hash ?? null });
      return;
    }
    this.receive({ hash: msg.hash, version: msg.version, config: applyDelta(held.config, msg.delta) });
  };

  private receive(snapshot: VersionedSnapshot): void {
    this.held = snapshot;
    if (this.deliver) this.deliver(snapshot);
    else this.pending = snapshot;
  }

  async start(onSnapshot: SnapshotListener): Promise<void> {
    this.deliver = (snapshot) => {
      // a version the worker could not apply is not acknowledged: the supervisor must not cache it as good
      const applied = onSnapshot(snapshot) !== false;
      this.channel.send?.({ type: applied ? 'applied' : 'rejected', hash: snapshot.hash });
    };
    const pending = this.pending;
    this.pending = null;
    if (pending) this.deliver(pending);
  }

  async stop(): Promise<void> {
    this.channel.off('message', this.onMessage);
    this.deliver = null;
  }
}
