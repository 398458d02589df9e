// Runs `worker_processes` data-plane workers with node:cluster. SCHED_NONE lets the kernel hand connections to
// the workers directly: the supervisor (which also hosts the NestJS control plane) never touches proxy traffic.
// This is how the `reuseport` listen flag is honoured on Node 20, which has no SO_REUSEPORT option of its own.
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import type { Settings } from '@tollgate/config';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { diffSnapshots } from '@tollgate/declarative';
import type { TollgateLogger } from '@tollgate/logging';
import type { SnapshotOrigin } from '../../../proxy/src/provider/types';
import type { BoundListener, FromWorker, ToWorker } from './messages';

export interface WorkerPool {
  /** Resolves once every worker listens; rejects with the first worker's fatal error. */
  readonly ready: Promise<BoundListener[]>;
  /** `origin`: the delta `snapshot` was built from, when known; forwarded as is when its base is the version held. */
  publish(snapshot: VersionedSnapshot, origin?: SnapshotOrigin): void;
  /** Hash applied by every live worker, or null while any worker has none. */
  appliedHash(): string | null;
  readonly size: number;
  /** Each live worker's prometheus metrics (prom-client JSON), for aggregation on the status listener. */
  collectMetrics(timeoutMs: number): Promise<unknown[][]>;
  stop(timeoutMs: number): Promise<void>;
}

export function startWorkers(settings: Settings, log: TollgateLogger): WorkerPool {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  cluster.setupPrimary({ exec: join(__dirname, 'dp-worker.js'), silent: false });

  const applied = new Map<Worker, string>();
  let latest: VersionedSnapshot | null = null;
  let stopping = false;
  let startedAll = false;
  const workers = new Set<Worker>();

  let resolveReady!: (l: BoundListener[]) => void;
  let rejectReady!: (e: Error) => void;
  const ready = new Promise<BoundListener[]>((res, rej) => { resolveReady = res; rejectReady = rej; });
  let listening = 0;
  let listeners: BoundListener[] = [];

  let metricsSeq = 0;
  const metricsWaiters = new Map<number, (data: unknown[]) => void>();

  const sendTo = (w: Worker, msg: ToWorker) => {
    if (w.isConnected()) w.send(msg);
  };

  const spawn = (respawnDelayMs = 0): void => {
    const w = cluster.fork();
    workers.add(w);
    w.on('online', () => {
      sendTo(w, { type: 'init', settings });
      if (latest) sendTo(w, { type: 'snapshot', snapshot: latest });
    });
    w.on('message', (msg: FromWorker) => {
      switch (msg?.type) {
        case 'listening':
          if (!startedAll) {
            listeners = msg.listeners;
            if (++listening === settings.worker_processes) { startedAll = true; resolveReady(listeners); }
          }
          break;
        case 'applied':
          applied.set(w, msg.hash);
          break;
        case 'metrics':
          metricsWaiters.get(msg.id)?.(msg.data);
          break;
        case 'resync':
          if (latest && msg.hash !== latest.hash) sendTo(w, { type: 'snapshot', snapshot: latest });
          break;
        case 'fatal':
          if (!startedAll) rejectReady(Object.assign(new Error(msg.message), { expected: true }));
          else log.error({ worker: w.process.pid }, `data-plane worker failed: ${msg.message}`);
          break;
      }
    });
    w.on('exit', (code, signal) => {
      workers.delete(w);
      applied.delete(w);
      if (!startedAll && !stopping) {
        // A worker that dies before it listens (e.g. a crash at load) must not leave start waiting forever.
        rejectReady(Object.assign(new Error(`a data-plane worker exited before it started listening (code ${code}, signal ${signal})`), { expected: true }));
        return;
      }
      if (stopping || !startedAll) return;
      // A crashed worker is replaced; the backoff keeps a crash loop from spinning the CPU.
      const delay = Math.min(5000, Math.max(100, respawnDelayMs * 2));
      log.error({ pid: w.process.pid, code, signal }, `data-plane worker exited; restarting in ${delay} ms`);
      setTimeout(() => { if (!stopping) spawn(delay); }, delay).unref();
    });
    void respawnDelayMs;
  };

  for (let i = 0; i < settings.worker_processes; i++) spawn();

  return {
    ready,
    get size() { return workers.size; },
    publish(snapshot, origin) {
      const base = latest;
      latest = snapshot;
      if (base?.hash === snapshot.hash) return;
      // A delta received from the control plane is forwarded as is; otherwise versions share unchanged rows with
      // their predecessor, so this diff walks maps and serialises only what changed. Every worker got `base`
      // (full or as a delta) before this message: IPC keeps order.
      const delta = base ? (origin?.base_hash === base.hash ? origin.delta : diffSnapshots(base.config, snapshot.config)) : null;
      const msg: ToWorker = base && delta
        ? { type: 'delta', hash: snapshot.hash, version: snapshot.version, base_hash: base.hash, delta }
        : { type: 'snapshot', snapshot };
      for (const w of workers) sendTo(w, msg);
    },
    collectMetrics(timeoutMs) {
      return Promise.all([...workers].map((w) => new Promise<unknown[]>((resolve) => {
        const id = ++metricsSeq;
        const timer = setTimeout(() => { metricsWaiters.delete(id); resolve([]); }, timeoutMs);
        metricsWaiters.set(id, (data) => { clearTimeout(timer); metricsWaiters.delete(id); resolve(data); });
        sendTo(w, { type: 'metrics-request', id });
      })));
    },
    appliedHash() {
      if (workers.size === 0) return null;
      let hash: string | null = null;
      for (const w of workers) {
        const h = applied.get(w);
        if (!h || (hash !== null && h !== hash)) return null;
        hash = h;
      }
      return hash;
    },
    async stop(timeoutMs) {
      stopping = true;
      const exits = [...workers].map((w) => new Promise<void>((resolve) => {
        if (w.isDead()) return resolve();
        w.once('exit', () => resolve());
        sendTo(w, { type: 'shutdown', timeoutMs });
      }));
      const deadline = setTimeout(() => { for (const w of workers) w.process.kill('SIGKILL'); }, timeoutMs + 2000);
      await Promise.all(exits);
      clearTimeout(deadline);
    },
  };
}
