// One Tollgate node: what `tollgate start` runs for each role.
//   traditional   = control plane (this process) + data-plane workers fed over IPC
//   control_plane = control plane only
//   data_plane    = data-plane workers fed by a remote control plane (hybrid issue)
import type { Settings } from '@tollgate/config';
import type { TollgateLogger } from '@tollgate/logging';
import type { VersionedSnapshot } from '@tollgate/declarative';
import type { BoundListener } from './messages';
import { startStatusServer } from './status-server';
import { startWorkers, type WorkerPool } from './workers';

export interface NodeHandle {
  readonly listeners: BoundListener[];
  stop(timeoutMs: number): Promise<void>;
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

  handle(): NodeHandle {
    return {
      listeners: this.listeners,
      stop: async (timeoutMs) => {
        for (const close of this.closers) await close(timeoutMs).catch((e) => this.log.error({ err: e }, 'error while stopping'));
      },
    };
  }
}

/** status_listen for the node: ready once every worker applied `appliedHash`'s config; /metrics sums the workers. */
async function openStatus(parts: OpenedParts, settings: Settings, pool: WorkerPool | null, appliedHash: () => string | null): Promise<void> {
  const status = await startStatusServer(settings, {
    appliedHash,
    workers: () => pool?.size ?? 0,
    collectMetrics: () => pool?.collectMetrics(2000) ?? Promise.resolve([]),
  });
  parts.add(() => status.close(), status.listeners);
}

export async function startNode(settings: Settings, log: TollgateLogger): Promise<NodeHandle> {
  if (settings.role === 'data_plane') return startDataPlaneNode(settings, log);
  const parts = new OpenedParts(log);
  try {
    // Loaded lazily so that `tollgate config check` and friends never pay for NestJS.
    const { startControlPlane } = require('../../../admin/src/main') as typeof import('../../../admin/src/main');
    const cpOptions = { logger: log as unknown as import('pino').Logger };
    // database = off: the Admin API serves the declarative config from memory (apps/admin/src/dbless)
    const dbless = settings.database === 'off'
      ? await (require('../../../admin/src/dbless') as typeof import('../../../admin/src/dbless')).startDblessControlPlane(settings, cpOptions)
      : null;
    const cp = dbless ?? (await startControlPlane(settings, cpOptions));
    parts.add(() => cp.close(), cp.listeners);

    if (settings.role === 'control_plane') {
      // The cluster listener: data planes pull configuration here over mutual TLS.
      const { startClusterServer, startPgNotify, DATA_PLANE_REGISTRY } = await import('../../../admin/src/clustering/index.js');
      const { PLUGIN_CATALOG } = await import('../../../admin/src/bootstrap/tokens.js');
      const catalog = cp.app.get<{ plugins: ReadonlyMap<string, unknown> }>(PLUGIN_CATALOG, { strict: false });
      const cluster = await startClusterServer(settings, {
        snapshots: cp.snapshots,
        registry: cp.app.get(DATA_PLANE_REGISTRY, { strict: false }),
        logger: log,
        bundledPlugins: new Set(catalog.plugins.keys()),
      });
      parts.add(() => cluster.close(), cluster.listeners);
      if (settings.database === 'postgres') {
        // other control planes on the same database: their commits reach this node's data planes too
        const notify = await startPgNotify(settings, {
          onLocalChange: (listener) => cp.dao.onChange(() => listener()),
          onRemoteChange: () => cp.snapshots.invalidate(),
          logger: log,
        });
        parts.add(() => notify.close());
      }
    }

    let pool: WorkerPool | null = null;
    if (settings.role === 'traditional' && settings.proxy_listeners.length + settings.stream_listeners.length > 0) {
      pool = startWorkers(settings, log);
      const p = pool;
      parts.add((t) => p.stop(t));
      p.publish(cp.snapshots.current());
      // the delta each version was built with goes along: the pool forwards it instead of diffing 10,000 rows
      cp.snapshots.subscribe((s: import('@tollgate/declarative/snapshot').VersionedSnapshot, origin?: import('../../../proxy/src/provider/types').SnapshotOrigin) => p.publish(s, origin));
      parts.listeners.push(...(await p.ready));
    }

    const workers = pool;
    // DB-less without any config loaded yet is not ready (Kong: "no configuration available")
    await openStatus(parts, settings, workers, () =>
      dbless && !dbless.dbless.configured() ? null : workers ? workers.appliedHash() : cp.snapshots.current().hash,
    );
  } catch (err) {
    await parts.abort();
    throw err;
  }
  return parts.handle();
}

/** role = data_plane: no Admin API, no database; one pull per node, fanned out to the workers over IPC. */
async function startDataPlaneNode(settings: Settings, log: TollgateLogger): Promise<NodeHandle> {
  const { RemoteConfigProvider } = await import('../../../proxy/src/provider/remote/index.js');
  const parts = new OpenedParts(log);
  try {
    const provider = new RemoteConfigProvider(settings, { logger: log });
    const pool = startWorkers(settings, log);
    parts.add((t) => pool.stop(t));
    // the cache (when valid) is published before the workers finish starting: they serve it as soon as they listen
    await provider.start((snapshot: VersionedSnapshot, origin) => pool.publish(snapshot, origin));
    parts.add(() => provider.stop());
    parts.listeners.push(...(await pool.ready));
    await openStatus(parts, settings, pool, () => pool.appliedHash());
  } catch (err) {
    await parts.abort();
    throw err;
  }
  return parts.handle();
}
