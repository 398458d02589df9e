// Entry point of one data-plane worker process (forked by the supervisor through node:cluster). Plain Node:
// nothing here may import NestJS, so the worker stays light.
import '../signals/inspector-guard';
import { createLogger, reopenLogFiles } from '@tollgate/logging';
import { KONG_COMPATIBLE_VERSION, resolveNodeIdentity } from '@tollgate/config';
import { acme, configureLua, pluginLogger, ipcEntityStore, metricsRegistry, setEntityStore, setNodeInfo, setTracingLogLevel, setTracingSettings, sharedCountersFile, useNodeCacheOverIpc, useSharedCountersFile } from '@tollgate/plugins';
import { startDataPlane } from '../../../proxy/src/main';
import { IpcConfigProvider } from '../../../proxy/src/provider/ipc-provider';
import { answerHealthQuery } from '../../../proxy/src/upstream/health-query';
import type { FromWorker, ToWorker } from '@tollgate/protocol';
import { ReleaseStatsCounter } from '../../../proxy/src/forward/release-stats';
import { startMallocTrimmer } from './malloc-trim';
import { USR2_IGNORED } from '../signals/usr2';

/** How often a worker hands its request counts to the supervisor. */
const RELEASE_STATS_REPORT_MS = 500;

function send(msg: FromWorker): void {
  process.send?.(msg);
}

/** Reports why this worker cannot start, then exits once the message left: the supervisor tells a fatal error
 *  (which fails the start) from a worker that merely died (which it starts again). */
function fail(message: string): void {
  const exit = () => process.exit(1);
  if (process.send) process.send({ type: 'fatal', message } satisfies FromWorker, exit);
  else exit();
}

async function main(): Promise<void> {
  // The supervisor owns signals; a worker only leaves when told, or when its parent is gone. A terminal's
  // Ctrl-C, Ctrl-\\ or hang-up reaches the whole process group: the supervisor turns them into a drain or reload.
  process.on('SIGINT', () => {});
  process.on('SIGQUIT', () => {});
  process.on('SIGHUP', () => {});
  process.on('SIGUSR1', () => reopenLogFiles());
  // Node's default would end the worker; nginx's workers ignore it too. Said once the logger exists.
  let usr2Early = 0;
  let onUsr2: () => void = () => void usr2Early++;
  process.on('SIGUSR2', () => onUsr2());
  startMallocTrimmer();
  // listening before init: the supervisor may send the snapshot while the data plane starts
  const provider = new IpcConfigProvider();
  const init = await new Promise<Extract<ToWorker, { type: 'init' }>>((resolve) => {
    const onInit = (msg: ToWorker) => {
      if (msg?.type === 'init') { process.off('message', onInit); resolve(msg); }
    };
    process.on('message', onInit);
  });
  const settings = init.settings;
  setEntityStore(ipcEntityStore((msg) => send(msg), (listener) => process.on('message', listener)));
  // traditional nodes: the acme plugin reads challenges and stored certificates from the supervisor's control plane
  // (a hybrid data plane orders certificates itself, with redis storage; set below once the logger exists)
  if (settings.role === 'traditional') acme.setAcmeHost(acme.ipcAcmeHost((msg) => send(msg), (listener) => process.on('message', listener)));
  const logger = createLogger({ level: settings.log_level, name: 'tollgate-dp', file: settings.proxy_error_log, format: settings.log_format });
  onUsr2 = () => logger.notice(USR2_IGNORED);
  for (; usr2Early > 0; usr2Early--) onUsr2();
  if (settings.role !== 'traditional') acme.setAcmeHost(new acme.LocalAcmeHost(pluginLogger(logger, 'acme')));
  const nodeId = resolveNodeIdentity(settings).nodeId;
  setNodeInfo(nodeId, KONG_COMPATIBLE_VERSION);
  setTracingSettings(settings.tracing_instrumentations ?? ['off'], settings.tracing_sampling_rate ?? 0.01, nodeId, settings.log_level);
  configureLua({ ...settings, node_id: nodeId });
  // rate-limiting `local` counts per node: every worker maps the node's counter file (before any plugin runs)
  useSharedCountersFile(sharedCountersFile(settings.prefix));
  // proxy-cache's entries are node-wide: they live in the supervisor
  useNodeCacheOverIpc((msg) => send(msg), (listener) => process.on('message', listener));
  // a hybrid data plane reports requests and 5xx per configuration to its control plane (staged rollouts)
  const releaseStats = settings.role === 'data_plane' ? new ReleaseStatsCounter() : null;
  if (releaseStats) {
    setInterval(() => {
      const stats = releaseStats.drain();
      if (stats) send({ type: 'release-stats', stats });
    }, RELEASE_STATS_REPORT_MS).unref();
  }
  let handle: Awaited<ReturnType<typeof startDataPlane>>;
  try {
    handle = await startDataPlane(settings, { provider, logger, releaseStats: releaseStats ?? undefined });
  } catch (err) {
    return fail((err as Error).message);
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
    if (msg?.type === 'reopen-logs') reopenLogFiles();
    // The prometheus plugin counts in each worker; the supervisor's /metrics aggregates them.
    // Each worker runs its own balancers; the Admin API's target health endpoints ask them here.
    if (msg?.type === 'log-level') {
      logger.level = msg.level;
      setTracingLogLevel(msg.level);
    }
    if (msg?.type === 'health-request') send({ type: 'health', id: msg.id, answer: answerHealthQuery(handle.runtime.current.upstreams, msg.query) });
    // GET /status/dns: the balancers' name resolution runs here, so its statistics are this worker's
    if (msg?.type === 'dns-stats-request') send({ type: 'dns-stats', id: msg.id, stats: handle.dnsStats() });
    if (msg?.type === 'metrics-request') {
      void metricsRegistry().getMetricsAsJSON().then((data) => send({ type: 'metrics', id: msg.id, data }), () => send({ type: 'metrics', id: msg.id, data: [] }));
    }
  });
  process.on('SIGTERM', () => void shutdown(10_000));
  process.on('disconnect', () => void shutdown(10_000));
}

main().catch((err) => fail((err as Error).message));
