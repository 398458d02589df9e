// One Tollgate node: what `tollgate start` runs for each role.
//   traditional   = control plane (this process) + data-plane workers fed over IPC
//   control_plane = control plane only
//   data_plane    = data-plane workers fed by a remote control plane (hybrid issue)
import type { Settings } from '@tollgate/config';
import type { TollgateLogger } from '@tollgate/logging';
import type { BoundListener } from './messages';
import { startStatusServer } from './status-server';
import { startWorkers, type WorkerPool } from './workers';

export interface NodeHandle {
  readonly listeners: BoundListener[];
  stop(timeoutMs: number): Promise<void>;
}

export async function startNode(settings: Settings, log: TollgateLogger): Promise<NodeHandle> {
  if (settings.role === 'data_plane') {
    throw Object.assign(new Error("role = data_plane is not available yet: hybrid mode (pulling configuration from a control plane) arrives with the hybrid issue; use role = traditional"), { expected: true });
  }
  const closers: Array<(timeoutMs: number) => Promise<void>> = [];
  const listeners: BoundListener[] = [];
  try {
    // Loaded lazily so that `tollgate config check` and friends never pay for NestJS.
    const { startControlPlane } = require('../../../admin/src/main') as typeof import('../../../admin/src/main');
    const cp = await startControlPlane(settings, { logger: log as unknown as import('pino').Logger });
    closers.unshift(() => cp.close());
    listeners.push(...cp.listeners);

    let pool: WorkerPool | null = null;
    if (settings.role === 'traditional' && settings.proxy_listeners.length + settings.stream_listeners.length > 0) {
      pool = startWorkers(settings, log);
      const p = pool;
      closers.unshift((t) => p.stop(t));
      p.publish(cp.snapshots.current());
      cp.snapshots.subscribe((s: import('@tollgate/declarative/snapshot').VersionedSnapshot) => p.publish(s));
      listeners.push(...(await p.ready));
    }

    const status = await startStatusServer(settings, {
      appliedHash: () => (pool ? pool.appliedHash() : cp.snapshots.current().hash),
      workers: () => pool?.size ?? 0,
    });
    closers.unshift(() => status.close());
    listeners.push(...status.listeners);
  } catch (err) {
    for (const close of closers) await close(2000).catch(() => {});
    throw err;
  }
  return {
    listeners,
    async stop(timeoutMs) {
      // Data planes first so in-flight proxy requests finish while the control plane still answers.
      for (const close of closers) await close(timeoutMs).catch((e) => log.error({ err: e }, 'error while stopping'));
    },
  };
}
