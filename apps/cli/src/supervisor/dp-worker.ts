// Entry point of one data-plane worker process (forked by the supervisor through node:cluster). Plain Node:
// nothing here may import NestJS, so the worker stays light.
import { createLogger } from '@tollgate/logging';
import { KONG_COMPATIBLE_VERSION, resolveNodeIdentity } from '@tollgate/config';
import { metricsRegistry, setNodeInfo } from '@tollgate/plugins';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { applyDelta } from '@tollgate/declarative/delta';
import { startDataPlane } from '../../../proxy/src/main';
import type { FromWorker, ToWorker } from './messages';

function send(msg: FromWorker): void {
  process.send?.(msg);
}

/**
 * Feeds snapshots that arrive over IPC to the data plane, remembering one that arrives before it is ready. Deltas
 * apply to the version held (the supervisor verified the hashes; its diff is exact); a delta for another base
 * asks the supervisor for the full snapshot.
 */
function ipcProvider() {
  let deliver: ((s: VersionedSnapshot) => void) | null = null;
  let pending: VersionedSnapshot | null = null;
  let held: VersionedSnapshot | null = null;
  const receive = (snapshot: VersionedSnapshot) => {
    held = snapshot;
    if (deliver) deliver(snapshot);
    else pending = snapshot;
  };
  const onMessage = (msg: ToWorker) => {
    if (msg?.type === 'snapshot') return receive(msg.snapshot);
    if (msg?.type !== 'delta') return;
    if (held?.hash !== msg.base_hash) return send({ type: 'resync', hash: held?.hash ?? null });
    receive({ hash: msg.hash, version: msg.version, config: applyDelta(held.config, msg.delta) });
  };
  process.on('message', onMessage);
  return {
    async start(onSnapshot: (s: VersionedSnapshot) => void) {
      deliver = (s) => {
        onSnapshot(s);
        send({ type: 'applied', hash: s.hash });
      };
      if (pending) { const p = pending; pending = null; deliver(p); }
    },
    async stop() {
      process.off('message', onMessage);
    },
  };
}

async function main(): Promise<void> {
  const provider = ipcProvider();
  const init = await new Promise<Extract<ToWorker, { type: 'init' }>>((resolve) => {
    const onInit = (msg: ToWorker) => {
      if (msg?.type === 'init') { process.off('message', onInit); resolve(msg); }
    };
    process.on('message', onInit);
  });
  const settings = init.settings;
  const logger = createLogger({ level: settings.log_level, name: 'tollgate-dp', file: settings.proxy_error_log });
  setNodeInfo(resolveNodeIdentity(settings).nodeId, KONG_COMPATIBLE_VERSION);
  let handle: Awaited<ReturnType<typeof startDataPlane>>;
  try {
    handle = await startDataPlane(settings, { provider, logger });
  } catch (err) {
    send({ type: 'fatal', message: (err as Error).message });
    process.exit(1);
  }
  send({ type: 'listening', listeners: handle.listeners.map((l) => ({ key: l.key, listener: l.listener, address: l.address, port: l.port })) });

  let closing = false;
  const shutdown = async (timeoutMs: number) => {
    if (closing) return;
    closing = true;
    await handle.close({ graceful: true, timeoutMs });
    process.exit(0);
  };
  process.on('message', (msg: ToWorker) => {
    if (msg?.type === 'shutdown') void shutdown(msg.timeoutMs);
    // The prometheus plugin counts in each worker; the supervisor's /metrics aggregates them.
    if (msg?.type === 'metrics-request') {
      void metricsRegistry.getMetricsAsJSON().then((data) => send({ type: 'metrics', id: msg.id, data }), () => send({ type: 'metrics', id: msg.id, data: [] }));
    }
  });
  // The supervisor owns signals; a worker only leaves when told, or when its parent is gone.
  process.on('SIGINT', () => {});
  process.on('SIGTERM', () => void shutdown(10_000));
  process.on('disconnect', () => void shutdown(10_000));
}

main().catch((err) => {
  send({ type: 'fatal', message: (err as Error).message });
  process.exit(1);
});
