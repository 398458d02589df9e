// Runs `worker_processes` data-plane workers with node:cluster. SCHED_NONE lets the kernel hand connections to
// the workers directly: the supervisor (which also hosts the NestJS control plane) never touches proxy traffic.
// This is how the `reuseport` listen flag is honoured on Node 20, which has no SO_REUSEPORT option of its own.
// The primary holds each listening socket while any worker uses it, so a worker replaced by a new one on the
// same address (a reload, a crash) never closes the port: connections queue and the new worker accepts them.
import cluster, { type Worker } from 'node:cluster';
import { join } from 'node:path';
import type { Settings } from '@tollgate/config';
import type { VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { diffSnapshots } from '@tollgate/declarative';
import type { TollgateLogger } from '@tollgate/logging';
// Deep imports, not '@tollgate/plugins': its index loads every bundled plugin (fengari, protobufjs, jose, ioredis…),
// which the supervisor never runs. The acme link is required on the first acme message for the same reason.
import { answerNodeCache, isNodeCacheRequest, sizeNodeCache } from '@tollgate/plugins/node-cache';
import { isStoreRequest } from '@tollgate/plugins/store';
import { resetSharedCountersFile, sharedCountersFile } from '@tollgate/plugins/shared-counters';
import type { DnsStatusReport } from '@tollgate/errors';
import type { BoundListener, FromWorker, HealthAnswer, HealthQuery, SnapshotOrigin, ToWorker } from '@tollgate/protocol';
import type { StoreHost } from './entity-store-host';
import { workerMallocEnv } from './malloc-trim';

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
  /** Asks every worker to reopen its log files (SIGUSR1). */
  reopenLogs(): void;
  /**
   * Replaces the workers one at a time with workers started on `next` (new listeners, a new count): each new one
   * listens and serves the current config before an old one drains. A new worker that fails ends the roll and
   * leaves the old ones serving. Resolves with the listeners in force.
   */
  reload(next: Settings, drainTimeoutMs: number): Promise<BoundListener[]>;
  /** Asks every live worker's balancers; a worker that does not answer in time is left out. */
  askHealth(query: HealthQuery, timeoutMs: number): Promise<HealthAnswer[]>;
  /**
   * GET /status/dns with new_dns_client = on: the DNS statistics of one worker, as one nginx worker answers Kong's
   * request; always the first live one, so successive reads follow one worker's counters. Null when none answers.
   */
  askDnsStats(timeoutMs: number): Promise<DnsStatusReport | null>;
  /** `/debug/node/log-level`: every worker logs at `level` from now on, workers started later included. */
  setLogLevel(level: string): void;
  stop(timeoutMs: number): Promise<void>;
}

/** Deaths before listening that a start forgives (a worker killed by an operator or the OOM killer at boot). */
const EARLY_DEATHS_FORGIVEN = 3;

/**
 * V8 grows a worker's young generation to 2 x 16 MiB under proxy traffic and keeps it: a third of a 10,000-route
 * worker's RSS (bench/memory). Its survivors are the requests in flight, whatever its size, so a smaller one costs
 * more scavenges of about the same survivors: at 2 MiB (4 MiB resident) about twice as many as at 8 MiB, a few µs of
 * GC per request more on a loaded 2-core machine (bench/memory prints it), for 12 MiB less per worker, which is what
 * keeps a 10,000-route data-plane node within 150 MB. An operator's own semi-space flags win.
 */
export const WORKER_SEMI_SPACE_MB = 2;

/**
 * A worker with stream listeners takes 8 MiB semi-spaces (12 MiB more resident). Each TCP/TLS connection allocates
 * about 19 KB (16 KB of it Node's net.Socket pair), so at 2 MiB a scavenge of about 1.3 ms lands on one connect in
 * 80 and sets the connect p99: bench/stream measured +0.7 to +1.6 ms over direct at 2 MiB, +0.8 to +1.3 at 4 MiB,
 * +0.35 to +0.45 at 8 MiB (the Node floor's +0.3 to +0.5). HTTP's keep-alive traffic gains nothing from the larger
 * size (bench/proxy A/B: CPU x1.00), so HTTP-only nodes keep the smaller one.
 */
export const STREAM_WORKER_SEMI_SPACE_MB = 8;

/** Whether the operator sized V8's young generation themselves (node flags or NODE_OPTIONS): theirs wins. */
export function operatorSetSemiSpace(execArgv: readonly string[], nodeOptions: string | undefined): boolean {
  const set = (s: string) => /--(max|min)[-_]semi[-_]space[-_]size|--semi[-_]space[-_]growth[-_]factor/.test(s);
  return execArgv.some(set) || (nodeOptions !== undefined && set(nodeOptions));
}

/** The node flags of a data-plane worker; `streamListeners`: the node has stream_listen entries. */
export function workerExecArgv(execArgv: readonly string[], nodeOptions: string | undefined, streamListeners = false): string[] {
  if (operatorSetSemiSpace(execArgv, nodeOptions)) return [...execArgv];
  return [...execArgv, `--max-semi-space-size=${streamListeners ? STREAM_WORKER_SEMI_SPACE_MB : WORKER_SEMI_SPACE_MB}`];
}

interface Started {
  readonly worker: Worker;
  readonly listening: Promise<BoundListener[]>;
}

/** `storeHost`: answers the workers' entity-store requests (traditional mode with a database). */
/** What a worker made of a published version: applied, or rejected (it keeps serving the version before). */
export type ApplyOutcomeListener = (hash: string, applied: boolean) => void;

export function startWorkers(
  initial: Settings, log: TollgateLogger, storeHost?: StoreHost, onReleaseStats?: (stats: Record<string, [number, number]>) => void,
  onApplyOutcome?: ApplyOutcomeListener,
): WorkerPool {
  cluster.schedulingPolicy = cluster.SCHED_NONE;
  // the node flags are set again at each fork: a reload may add or drop stream listeners (workerExecArgv)
  const setupFor = (s: Settings) => cluster.setupPrimary({
    exec: join(__dirname, 'dp-worker.js'), silent: false, execArgv: workerExecArgv(process.execArgv, process.env.NODE_OPTIONS, s.stream_listeners.length > 0),
  });
  setupFor(initial);

  let settings = initial;
  // node-wide counters start from zero with the node; a reload keeps them (the file outlives rolled workers)
  resetSharedCountersFile(sharedCountersFile(initial.prefix));
  // proxy-cache's node-wide cache lives here; the workers reach it over IPC (libs/plugins/src/node-cache)
  sizeNodeCache(initial.mem_cache_size);
  const applied = new Map<Worker, string>();
  let latest: VersionedSnapshot | null = null;
  let logLevel: string | null = null;
  let stopping = false;
  /** Workers in service: counted by appliedHash, respawned when they die. */
  const workers = new Set<Worker>();
  /** Workers being replaced by a reload: drained, never respawned. */
  const retiring = new Set<Worker>();
  let listeners: BoundListener[] = [];
  let earlyDeaths = 0;

  const appliedWaiters = new Map<Worker, () => void>();
  /** Workers that got their init: later snapshots reach them as deltas, in order. */
  const online = new Set<Worker>();

  const sendTo = (w: Worker, msg: ToWorker) => {
    if (w.isConnected()) w.send(msg);
  };

  /** Questions to a worker (metrics, balancer health, DNS statistics) and their answers, matched by id. */
  type Answer = Extract<FromWorker, { type: 'metrics' | 'health' | 'dns-stats' }>;
  let questionSeq = 0;
  const answerWaiters = new Map<number, (answer: Answer) => void>();
  /** `read` picks the answer out of the worker's reply; `fallback` when it does not reply within `timeoutMs`. */
  const ask = <T>(w: Worker, question: (id: number) => ToWorker, read: (answer: Answer) => T, fallback: T, timeoutMs: number) =>
    new Promise<T>((resolve) => {
      const id = ++questionSeq;
      const timer = setTimeout(() => { answerWaiters.delete(id); resolve(fallback); }, timeoutMs);
      answerWaiters.set(id, (answer) => { clearTimeout(timer); answerWaiters.delete(id); resolve(read(answer)); });
      sendTo(w, question(id));
    });

  /** Forks one worker on the current settings; `listening` rejects when it fails before it listens. */
  const fork = (): Started => {
    setupFor(settings);
    const w = cluster.fork(workerMallocEnv(process.env));
    const workerSettings = settings;
    let onListening!: (l: BoundListener[]) => void;
    let onFailed!: (e: Error & { fatal?: boolean }) => void;
    const listening = new Promise<BoundListener[]>((res, rej) => { onListening = res; onFailed = rej; });
    listening.catch(() => {}); // observed by whoever waits on it; a crash is also handled by 'exit'
    let isListening = false;
    w.on('online', () => {
      online.add(w);
      sendTo(w, { type: 'init', settings: workerSettings });
      if (logLevel !== null) sendTo(w, { type: 'log-level', level: logLevel });
      if (latest) sendTo(w, { type: 'snapshot', snapshot: latest });
    });
    w.on('message', (msg: FromWorker) => {
      if (isNodeCacheRequest(msg)) {
        const reply = answerNodeCache(msg);
        if (reply) sendTo(w, reply);
        return;
      }
      if (isStoreRequest(msg)) {
        const answer = storeHost ? storeHost(msg) : Promise.resolve({ type: 'store-result' as const, id: msg.id, ok: false as const, error: 'no database on this node' });
        void answer.then((reply) => { if (w.isConnected()) w.send(reply); });
        return;
      }
      // the acme plugin's storage and orders live with the control plane of this process (apps/admin AcmeService)
      const acme = (msg as { type?: unknown } | null)?.type === 'acme'
        ? (require('../../../../libs/plugins/src/bundled/acme/link') as typeof import('../../../../libs/plugins/src/bundled/acme/link')) : null;
      if (acme?.isAcmeRequest(msg)) {
        void acme.serveAcmeRequest(acme.acmeHost(), msg).then((reply) => { if (w.isConnected()) w.send(reply); });
        return;
      }
      switch (msg?.type) {
        case 'listening':
          isListening = true;
          onListening(msg.listeners);
          break;
        case 'applied':
          applied.set(w, msg.hash);
          if (msg.hash === latest?.hash) appliedWaiters.get(w)?.();
          onApplyOutcome?.(msg.hash, true);
          break;
        case 'rejected':
          // the worker keeps its previous version; waiting for this one would wait for nothing
          if (msg.hash === latest?.hash) appliedWaiters.get(w)?.();
          onApplyOutcome?.(msg.hash, false);
          break;
        case 'metrics':
        case 'health':
        case 'dns-stats':
          answerWaiters.get(msg.id)?.(msg);
          break;
        case 'release-stats':
          onReleaseStats?.(msg.stats);
          break;
        case 'resync':
          if (latest && msg.hash !== latest.hash) sendTo(w, { type: 'snapshot', snapshot: latest });
          break;
        case 'fatal':
          if (!isListening) onFailed(Object.assign(new Error(msg.message), { expected: true, fatal: true }));
          else log.error({ worker: w.process.pid }, `data-plane worker failed: ${msg.message}`);
          break;
      }
    });
    w.on('exit', (code, signal) => {
      online.delete(w);
      appliedWaiters.get(w)?.();
      if (!isListening) onFailed(Object.assign(new Error(`a data-plane worker exited before it started listening (code ${code}, signal ${signal})`), { expected: true }));
    });
    return { worker: w, listening };
  };

  /** A worker in service: replaced with backoff when it dies, unless the pool is stopping or retired it. */
  const enlist = (w: Worker, respawnDelayMs = 0): void => {
    workers.add(w);
    w.on('exit', (code, signal) => {
      workers.delete(w);
      applied.delete(w);
      if (stopping || retiring.has(w)) return;
      // A crashed worker is replaced; the backoff keeps a crash loop from spinning the CPU.
      const delay = Math.min(5000, Math.max(100, respawnDelayMs * 2));
      log.error({ pid: w.process.pid, code, signal }, `data-plane worker exited; restarting in ${delay} ms`);
      setTimeout(() => {
        if (stopping) return;
        const next = fork();
        enlist(next.worker, delay);
        next.listening.catch((err: Error) => log.error({ err: err.message }, 'restarted data-plane worker failed to start'));
      }, delay).unref();
    });
  };

  /**
   * Starts one worker until it listens. A worker that reports a fatal error (a port in use, a bad certificate)
   * fails the start at once; one that merely died (killed by a signal, crashed) is started again, a few times.
   */
  const startOne = async (): Promise<BoundListener[]> => {
    for (;;) {
      const s = fork();
      try {
        const l = await s.listening;
        enlist(s.worker);
        return l;
      } catch (err) {
        if ((err as { fatal?: boolean }).fatal || stopping || ++earlyDeaths > EARLY_DEATHS_FORGIVEN) {
          if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
          throw err;
        }
        log.error({ pid: s.worker.process.pid }, `${(err as Error).message}; starting it again`);
      }
    }
  };

  const spawnAll = async (count: number): Promise<BoundListener[]> => {
    const all = await Promise.allSettled(Array.from({ length: count }, () => startOne()));
    const failed = all.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
    return (all[0] as PromiseFulfilledResult<BoundListener[]>).value;
  };

  const ready = spawnAll(settings.worker_processes).then((l) => (listeners = l));

  /** Resolves when `w` applied the latest snapshot (or there is none yet), or after `timeoutMs`. */
  const servesLatest = (w: Worker, timeoutMs: number): Promise<void> => {
    if (!latest || applied.get(w) === latest.hash) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      function done() { clearTimeout(timer); appliedWaiters.delete(w); resolve(); }
      appliedWaiters.set(w, done);
    });
  };

  const drain = (w: Worker, timeoutMs: number): Promise<void> => new Promise<void>((resolve) => {
    if (w.isDead()) return resolve();
    const kill = setTimeout(() => w.process.kill('SIGKILL'), timeoutMs + 2000);
    w.once('exit', () => { clearTimeout(kill); resolve(); });
    sendTo(w, { type: 'shutdown', timeoutMs });
  });

  let reloading: Promise<BoundListener[]> | null = null;
  const roll = async (next: Settings, drainTimeoutMs: number): Promise<BoundListener[]> => {
    await ready;
    const previous = settings;
    settings = next;
    const old = [...workers];
    let bound = listeners;
    try {
      for (let i = 0; i < Math.max(old.length, next.worker_processes); i++) {
        if (i < next.worker_processes) {
          const s = fork();
          try {
            bound = await s.listening;
          } catch (err) {
            if (!s.worker.isDead()) s.worker.process.kill('SIGKILL');
            throw err;
          }
          enlist(s.worker);
          await servesLatest(s.worker, 5000);
        }
        const w = old[i];
        if (w) {
          retiring.add(w);
          workers.delete(w);
          applied.delete(w);
          await drain(w, drainTimeoutMs);
          retiring.delete(w);
        }
      }
    } catch (err) {
      // The old workers not yet replaced keep serving; later crashes respawn with the settings they run.
      settings = previous;
      throw err;
    }
    listeners = bound;
    return bound;
  };

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
      // A worker not yet online gets `latest` in full when it comes online.
      for (const w of online) sendTo(w, msg);
    },
    collectMetrics(timeoutMs) {
      return Promise.all([...workers].map((w) => ask(w, (id) => ({ type: 'metrics-request', id }), (a) => (a.type === 'metrics' ? a.data : []), [] as unknown[], timeoutMs)));
    },
    reopenLogs() {
      for (const w of [...workers, ...retiring]) sendTo(w, { type: 'reopen-logs' });
    },
    setLogLevel(level) {
      logLevel = level;
      for (const w of [...workers, ...retiring]) sendTo(w, { type: 'log-level', level });
    },
    async askHealth(query, timeoutMs) {
      const answers = await Promise.all([...workers].map((w) =>
        ask(w, (id) => ({ type: 'health-request', id, query }), (a) => (a.type === 'health' ? a.answer : null), null as HealthAnswer | null, timeoutMs)));
      return answers.filter((a): a is HealthAnswer => a !== null);
    },
    async askDnsStats(timeoutMs) {
      const first = workers.values().next();
      if (first.done) return null;
      const stats = await ask(first.value, (id) => ({ type: 'dns-stats-request', id }), (a) => (a.type === 'dns-stats' ? a.stats : null), null, timeoutMs);
      // the first worker in service stands for nginx's worker 0; the count is the configured one, as Kong's
      return stats && { worker: { id: 0, count: settings.worker_processes }, stats };
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
    reload(next, drainTimeoutMs) {
      // One roll at a time: a second HUP during a roll starts after it, on the file as it is then.
      const run = (reloading ?? Promise.resolve([] as BoundListener[])).catch(() => []).then(() => roll(next, drainTimeoutMs));
      reloading = run;
      return run;
    },
    async stop(timeoutMs) {
      stopping = true;
      const all = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
      await Promise.all(all.map((w) => drain(w, timeoutMs)));
    },
  };
}
