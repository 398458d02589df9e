// One Tollgate node: what `tollgate start` runs for each role.
//   traditional   = control plane (this process) + data-plane workers fed over IPC
//   control_plane = control plane only
//   data_plane    = data-plane workers fed by a remote control plane (hybrid issue)
import { setFlagsFromString } from 'node:v8';
import type { Settings } from '@tollgate/config';
import { guardProcess, reopenLogFiles, type TollgateLogger } from '@tollgate/logging';
import type { VersionedSnapshot } from '@tollgate/declarative';
import type { BoundListener } from '@tollgate/protocol';
import { adminLogger } from './admin-logger';
import { nodeDnsReport } from './dns-report';
import { startStatusServer } from './status-server';
import { operatorSetSemiSpace, startWorkers, type WorkerPool } from './workers';
import { startMallocTrimmer } from './malloc-trim';
import { planReload, type ReloadReport } from './reload-plan';

export interface NodeHandle {
  readonly listeners: BoundListener[];
  stop(timeoutMs: number): Promise<void>;
  /** Applies a re-read configuration without dropping a request (SIGHUP, `tollgate reload`). */
  reload(next: Settings, drainTimeoutMs: number): Promise<ReloadReport>;
  /** Reopens the log files of the node's processes (SIGUSR1, `tollgate logs reopen`). */
  reopenLogs(): void;
}

/** The parts a reload can replace: the worker pool and the status listener. */
interface Reloadable {
  settings: Settings;
  pool: WorkerPool | null;
  status: { listeners: BoundListener[]; close(): Promise<void> } | null;
  reopenStatus: ((next: Settings) => Promise<void>) | null;
  /** The control plane's Admin API listeners; null on a data-plane node. */
  admin: { readonly listeners: readonly BoundListener[]; reopenListeners(next: Settings): Promise<void> } | null;
  /** The control plane's cluster listeners; null unless role = control_plane. */
  cluster: { readonly listeners: readonly BoundListener[]; reopenListeners(next: Settings): Promise<void> } | null;
}

/** What a node opened so far. Closed in reverse order of opening: data planes and status before the control
 *  plane, so in-flight proxy requests finish while the control plane still answers. */
class OpenedParts {
  readonly listeners: BoundListener[] = [];
  private readonly closers: Array<(timeoutMs: number) => Promise<void>> = [];

  constructor(private readonly log: TollgateLogger) {}

  add(close: (timeoutMs: number) => Promise<void>, listeners: readonly BoundListener[] = []): void {
    this.closers.unshift(close);
    this.listeners.push(...listeners);
  }

  /** A start that failed half-way leaves nothing open. */
  async abort(): Promise<void> {
    for (const close of this.closers) await close(2000).catch(() => {});
  }

  handle(live: Reloadable): NodeHandle {
    const log = this.log;
    const node: NodeHandle = {
      listeners: this.listeners,
      stop: async (timeoutMs) => {
        for (const close of this.closers) await close(timeoutMs).catch((e) => log.error({ err: e }, 'error while stopping'));
      },
      reopenLogs: () => {
        reopenLogFiles();
        live.pool?.reopenLogs();
      },
      reload: async (next, drainTimeoutMs) => {
        const plan = planReload(live.settings, next, live.pool !== null);
        let proxyListeners = node.listeners.filter((l) => l.key === 'proxy_listen' || l.key === 'stream_listen');
        if (plan.rollWorkers && live.pool) proxyListeners = await live.pool.reload(next, drainTimeoutMs);
        if (plan.reopenStatus && live.reopenStatus) await live.reopenStatus(next);
        if (plan.reopenAdmin && live.admin) await live.admin.reopenListeners(next);
        if (plan.reopenCluster && live.cluster) await live.cluster.reopenListeners(next);
        live.settings = next;
        node.listeners.splice(0, node.listeners.length, ...(live.admin?.listeners ?? []), ...(live.cluster?.listeners ?? []), ...proxyListeners, ...(live.status?.listeners ?? []));
        return plan;
      },
    };
    return node;
  }
}

/** status_listen for the node: ready once every worker applied `appliedHash`'s config; /metrics sums the workers.
 *  A reload that changes status_listen closes the old listener, then opens the new one (they may share a port). */
async function openStatus(parts: OpenedParts, live: Reloadable, appliedHash: () => string | null, databaseReachable?: () => Promise<boolean>): Promise<void> {
  const open = (settings: Settings) => startStatusServer(settings, {
    appliedHash,
    databaseReachable,
    workers: () => live.pool?.size ?? 0,
    collectMetrics: () => live.pool?.collectMetrics(2000) ?? Promise.resolve([]),
    dnsReport: () => nodeDnsReport(live.pool, live.settings.worker_processes),
  });
  live.status = await open(live.settings);
  live.reopenStatus = async (next) => {
    await live.status?.close();
    live.status = null;
    live.status = await open(next);
  };
  parts.add(() => live.status?.close() ?? Promise.resolve(), live.status.listeners);
}

export async function startNode(settings: Settings, log: TollgateLogger): Promise<NodeHandle> {
  if (settings.role === 'data_plane') return startDataPlaneNode(settings, log);
  // bin/tollgate.js held the young generation small until the role was known: a control plane's Admin API
  // allocates per request like any server and keeps V8's default growth (factor 2)
  if (!operatorSetSemiSpace(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString('--semi-space-growth-factor=2');
  const parts = new OpenedParts(log);
  const trimmer = startMallocTrimmer();
  parts.add(async () => trimmer.stop());
  const live: Reloadable = { settings, pool: null, status: null, reopenStatus: null, admin: null, cluster: null };
  try {
    // Loaded lazily so that `tollgate config check` and friends never pay for NestJS, and a data-plane node's
    // supervisor never holds it (the links import Admin API modules, which pull in NestJS, rxjs and TypeORM: 930 modules, 22 MiB of RSS at 10,000 routes).
    const { startControlPlane } = require('../../../admin/src/main') as typeof import('../../../admin/src/main');
    const { workerHealthLink } = require('./health-link') as typeof import('./health-link');
    const { nodeLogLevelLink } = require('./log-level-link') as typeof import('./log-level-link');
    const healthLink = workerHealthLink(settings.worker_processes);
    const logLevel = nodeLogLevelLink(settings, log);
    const cpOptions = { logger: adminLogger(settings, log) as unknown as import('pino').Logger, modules: [healthLink.module(), logLevel.module()] };
    // database = off: the Admin API serves the declarative config from memory (apps/admin/src/dbless)
    const dbless = settings.database === 'off'
      ? await (require('../../../admin/src/dbless') as typeof import('../../../admin/src/dbless')).startDblessControlPlane(settings, cpOptions)
      : null;
    const cp = dbless ?? (await startControlPlane(settings, cpOptions));
    parts.add(() => cp.close(), cp.listeners);
    live.admin = cp;

    if (settings.role === 'control_plane') {
      // The cluster listener: data planes pull configuration here over mutual TLS.
      const { startClusterServer, DATA_PLANE_REGISTRY } = await import('../../../admin/src/clustering/index.js');
      const { PLUGIN_CATALOG } = await import('../../../admin/src/bootstrap/tokens.js');
      const catalog = cp.app.get<{ plugins: ReadonlyMap<string, unknown> }>(PLUGIN_CATALOG, { strict: false });
      const { ROLLOUT_PINS } = await import('../../../admin/src/cluster/rollouts/tokens.js');
      const cluster = await startClusterServer(settings, {
        snapshots: cp.snapshots,
        registry: cp.app.get(DATA_PLANE_REGISTRY, { strict: false }),
        pins: cp.app.get(ROLLOUT_PINS, { strict: false }),
        logger: log,
        bundledPlugins: new Set(catalog.plugins.keys()),
      });
      parts.add(() => cluster.close(), cluster.listeners);
      live.cluster = cluster;
    }
    if (settings.database === 'postgres') {
      // other nodes on the same database (control planes, or traditional nodes as in a classic Kong cluster):
      // their commits reach this node's data planes too
      const { startPgNotify } = await import('../../../admin/src/clustering/index.js');
      const notify = await startPgNotify(settings, {
        onLocalChange: (listener) => cp.dao.onChange(() => listener()),
        onRemoteChange: () => cp.snapshots.invalidate(),
        onLogLevel: (level, timeout) => logLevel.applyRemote(level, timeout),
        logger: log,
      });
      logLevel.attachCluster((level, timeout) => notify.broadcastLogLevel(level, timeout));
      parts.add(() => notify.close());
    }

    let pool: WorkerPool | null = null;
    if (settings.role === 'traditional' && settings.proxy_listeners.length + settings.stream_listeners.length > 0) {
      // the data plane's narrow write path (oauth2 tokens, sessions) runs on this control plane's Dao
      const { entityStoreHost } = await import('./entity-store-host.js');
      pool = startWorkers(settings, log, dbless ? undefined : entityStoreHost(cp.dao as never));
      live.pool = pool;
      const p = pool;
      healthLink.attach(p);
      logLevel.attach(p);
      parts.add((t) => p.stop(t));
      p.publish(cp.snapshots.current());
      // the delta each version was built with goes along: the pool forwards it instead of diffing 10,000 rows
      cp.snapshots.subscribe((s: import('@tollgate/declarative/snapshot').VersionedSnapshot, origin?: import('@tollgate/protocol').SnapshotOrigin) => p.publish(s, origin));
      parts.listeners.push(...(await p.ready));
    }

    const workers = pool;
    // DB-less without any config loaded yet is not ready (Kong: "no configuration available")
    const { DATABASE_PROBE } = await import('../../../admin/src/bootstrap/tokens.js');
    const probe = dbless ? undefined : cp.app.get<() => Promise<boolean>>(DATABASE_PROBE, { strict: false });
    await openStatus(parts, live, () =>
      dbless && !dbless.dbless.configured() ? null : workers ? workers.appliedHash() : cp.snapshots.current().hash,
    probe);
  } catch (err) {
    await parts.abort();
    throw err;
  }
  return parts.handle(live);
}

/** role = data_plane: no Admin API, no database; one pull per node, fanned out to the workers over IPC. */
async function startDataPlaneNode(settings: Settings, log: TollgateLogger): Promise<NodeHandle> {
  // This supervisor only relays snapshots, yet parsing a full one grows V8's young generation to its 2 x 16 MiB
  // default, which it then keeps: a third of the process (bench/memory). Its --max-semi-space-size can no longer
  // change once Node runs, but a growth factor of 1 still can: the young generation stays at its initial 1 MiB.
  if (!operatorSetSemiSpace(process.execArgv, process.env.NODE_OPTIONS)) setFlagsFromString('--semi-space-growth-factor=1');
  // this supervisor serves status_listen and holds the cluster pull: no control plane installs the last line of
  // defence here (startControlPlane does on the other roles), and a throw that ended it would take the workers along
  guardProcess(log);
  const { RemoteConfigProvider } = await import('../../../proxy/src/provider/remote/index.js');
  const parts = new OpenedParts(log);
  const trimmer = startMallocTrimmer();
  parts.add(async () => trimmer.stop());
  const live: Reloadable = { settings, pool: null, status: null, reopenStatus: null, admin: null, cluster: null };
  try {
    const { ReleaseStatsTotals } = await import('../../../proxy/src/forward/release-stats.js');
    const releaseStats = new ReleaseStatsTotals();
    const provider = new RemoteConfigProvider(settings, { logger: log, releaseStats, cacheOnlyApplied: true });
    const pool = startWorkers(settings, log, undefined, (stats) => releaseStats.add(stats), (hash, applied) => provider.applyOutcome(hash, applied));
    live.pool = pool;
    parts.add((t) => pool.stop(t));
    // the cache (when valid) is published before the workers finish starting: they serve it as soon as they listen
    await provider.start((snapshot: VersionedSnapshot, origin) => pool.publish(snapshot, origin));
    parts.add(() => provider.stop());
    parts.listeners.push(...(await pool.ready));
    await openStatus(parts, live, () => pool.appliedHash());
  } catch (err) {
    await parts.abort();
    throw err;
  }
  return parts.handle(live);
}
