// Configuration from the parent process: a worker forked by the lead's process receives
// `{type:'snapshot', snapshot}` messages over the IPC channel (process.send in the parent).
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import type { ConfigProvider, SnapshotListener } from './types';

export interface SnapshotMessage {
  readonly type: 'snapshot';
  readonly snapshot: VersionedSnapshot;
}

/** The IPC endpoint; `process` in a forked worker. */
export interface IpcChannel {
  on(event: 'message', listener: (message: unknown) => void): unknown;
  off(event: 'message', listener: (message: unknown) => void): unknown;
  send?(message: unknown): boolean;
}

export function isSnapshotMessage(message: unknown): message is SnapshotMessage {
  const m = message as SnapshotMessage | null;
  return !!m && m.type === 'snapshot' && !!m.snapshot && typeof m.snapshot.hash === 'string' && !!m.snapshot.config;
}

export class IpcConfigProvider implements ConfigProvider {
  private handler: ((message: unknown) => void) | null = null;

  constructor(private readonly channel: IpcChannel = process as unknown as IpcChannel) {}

  async start(onSnapshot: SnapshotListener): Promise<void> {
    this.handler = (message) => {
      if (isSnapshotMessage(message)) onSnapshot(message.snapshot);
    };
    this.channel.on('message', this.handler);
    // Tell the parent we are listening so it can send the current snapshot at once.
    this.channel.send?.({ type: 'ready_for_snapshot', pid: process.pid });
  }

  async stop(): Promise<void> {
    if (this.handler) this.channel.off('message', this.handler);
    this.handler = null;
  }
}
