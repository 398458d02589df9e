import cluster from 'node:cluster';
import { resolve } from 'node:path';
import { createLogger, type TollgateLogger } from '@tollgate/logging';
import type { ParsedArgs } from '../args';
import { ignoredKeysWarning, settingsFromArgs, settingsReportFromArgs, sourceLines } from '../settings';
import { startNode, type NodeHandle } from '../supervisor/node';
import { USR2_IGNORED } from '../signals/usr2';
import { readReloadStatus, removePidFile, writeListenersFile, writePidFile, writeReloadStatus } from '../supervisor/pidfile';
import type { Command } from './types';

const STOP_TIMEOUT_MS = 10_000;

/**
 * nginx's (and Kong's) signals: TERM, INT and QUIT stop gracefully (a second one stops at once), HUP reloads
 * tollgate.conf, USR1 reopens the log files. USR1 never opens Node's inspector: bin/tollgate.js listens for it
 * before any module loads. USR2 (nginx's binary upgrade) has no counterpart: it is logged and ignored, where
 * Node's default would end the process.
 */
const STOP_SIGNALS = ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const;
const ALL_SIGNALS = [...STOP_SIGNALS, 'SIGHUP', 'SIGUSR1', 'SIGUSR2'] as const;
type Signal = (typeof ALL_SIGNALS)[number];

export const start: Command = {
  summary: 'start a node in the foreground (traditional: control plane + data plane)',
  usage: 'tollgate start [-c FILE] [-p PREFIX]',
  positionals: 0,
  async run(args) {
    const report = settingsReportFromArgs(args);
    const { settings } = report;
    const log = createLogger({ level: settings.log_level, name: 'tollgate', file: settings.proxy_error_log, format: settings.log_format });
    // which variable set each key (KONG_<KEY> and TOLLGATE_<KEY> both work, TOLLGATE_ wins), and Kong names read as ours
    for (const { key, text } of sourceLines(report)) log.notice({ key }, `configuration: ${text}`);
    const ignored = ignoredKeysWarning(report);
    if (ignored) log.warn({ ignored: report.ignored.map((i) => i.key), unrelated_env: report.unrelatedEnv }, ignored);
    // Signals are caught from the very start: a Ctrl-C during startup still ends in a clean stop.
    let signalled: ((signal: Signal) => void) | null = null;
    const early: Signal[] = [];
    const handlers = ALL_SIGNALS.map((sig) => {
      const h = () => (signalled ? signalled(sig) : early.push(sig));
      process.on(sig, h);
      return [sig, h] as const;
    });
    writePidFile(settings.prefix);
    let node: NodeHandle;
    try {
      node = await startNode(settings, log);
    } catch (err) {
      removePidFile(settings.prefix);
      for (const [sig, h] of handlers) process.off(sig, h);
      throw err;
    }
    writeListenersFile(settings.prefix, node.listeners);
    for (const l of node.listeners) {
      log.notice({ key: l.key, address: l.address, port: l.port }, `${l.key} listening on ${l.address.includes(':') ? `[${l.address}]` : l.address}:${l.port} (${l.listener})`);
    }
    log.notice({ role: settings.role, prefix: settings.prefix, pid: process.pid }, `tollgate started (role ${settings.role}, prefix ${settings.prefix})`);

    const reload = reloader(args, settings.prefix, node, log);
    return new Promise<number>((resolve) => {
      let stopping = false;
      signalled = (signal) => {
        if (signal === 'SIGHUP') return void (stopping || reload());
        if (signal === 'SIGUSR1') {
          node.reopenLogs();
          return void log.notice('received SIGUSR1: log files reopened');
        }
        if (signal === 'SIGUSR2') {
          return void log.notice(USR2_IGNORED);
        }
        if (stopping) return stopNow(signal, settings.prefix, log);
        stopping = true;
        log.notice(`received ${signal}: stopping gracefully (in-flight requests get up to ${STOP_TIMEOUT_MS} ms)`);
        node.stop(STOP_TIMEOUT_MS).finally(() => {
          removePidFile(settings.prefix);
          log.notice('tollgate stopped');
          resolve(0);
          // Everything is closed; a stray timer or client (a held long poll, a database listener) must not keep
          // a stopped node alive. unref: a clean event loop still exits at once.
          setTimeout(() => process.exit(process.exitCode ?? 0), 500).unref();
        });
      };
      for (const sig of early) signalled(sig);
    });
  },
};

/** A second stop signal during a graceful stop (`tollgate quit` past its --timeout): cut every connection now. */
function stopNow(signal: Signal, prefix: string, log: TollgateLogger): void {
  log.warn(`received ${signal} while stopping: stopping now, open connections are cut`);
  for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGKILL');
  removePidFile(prefix);
  process.exit(0);
}

/** SIGHUP: re-read the configuration the node started with and apply it; one reload at a time, in order. */
function reloader(args: ParsedArgs, prefix: string, node: NodeHandle, log: TollgateLogger): () => void {
  let seq = readReloadStatus(prefix)?.seq ?? 0;
  let chain: Promise<void> = Promise.resolve();
  const conf = typeof args.flags.conf === 'string' ? resolve(args.flags.conf) : null;
  const report = (ok: boolean, message: string) => writeReloadStatus(prefix, { pid: process.pid, seq: ++seq, ok, message, conf });
  writeReloadStatus(prefix, { pid: process.pid, seq, ok: true, message: 'started', conf });
  return () => {
    chain = chain.then(async () => {
      log.notice('received SIGHUP: reloading the configuration');
      let next;
      try {
        next = settingsFromArgs(args);
      } catch (err) {
        log.error(`reload refused, the running configuration is kept: ${(err as Error).message}`);
        return report(false, (err as Error).message);
      }
      try {
        const plan = await node.reload(next, STOP_TIMEOUT_MS);
        writeListenersFile(prefix, node.listeners);
        if (plan.needRestart.length > 0) log.warn({ keys: plan.needRestart }, `reload: these changed keys take effect on restart only: ${plan.needRestart.join(', ')}`);
        const message = plan.changed.length === 0
          ? 'configuration unchanged'
          : `applied ${plan.changed.filter((k) => !plan.needRestart.includes(k)).join(', ') || 'nothing'}${plan.rollWorkers ? ' (workers rolled one at a time)' : ''}${plan.needRestart.length ? `; restart needed for ${plan.needRestart.join(', ')}` : ''}`;
        log.notice({ changed: plan.changed }, `reload done: ${message}`);
        report(true, message);
      } catch (err) {
        log.error(`reload failed, the workers not yet replaced keep the previous configuration: ${(err as Error).message}`);
        report(false, (err as Error).message);
      }
    });
  };
}
