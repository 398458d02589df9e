import { createLogger } from '@tollgate/logging';
import { settingsFromArgs } from '../settings';
import { startNode } from '../supervisor/node';
import { removePidFile, writeListenersFile, writePidFile } from '../supervisor/pidfile';
import type { Command } from './types';

const STOP_TIMEOUT_MS = 10_000;

export const start: Command = {
  summary: 'start a node in the foreground (traditional: control plane + data plane)',
  usage: 'tollgate start [-c FILE] [-p PREFIX]',
  async run(args) {
    const settings = settingsFromArgs(args);
    const log = createLogger({ level: settings.log_level, name: 'tollgate', file: settings.proxy_error_log });
    // Signals are caught from the very start: a Ctrl-C during startup still ends in a clean stop.
    let signalled: ((signal: string) => void) | null = null;
    const early: string[] = [];
    const onSignal = (signal: string) => (signalled ? signalled(signal) : early.push(signal));
    const handlers = (['SIGTERM', 'SIGINT', 'SIGQUIT'] as const).map((sig) => {
      const h = () => onSignal(sig);
      process.on(sig, h);
      return [sig, h] as const;
    });
    writePidFile(settings.prefix);
    let node;
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

    return new Promise<number>((resolve) => {
      let stopping = false;
      signalled = (signal: string) => {
        if (stopping) return;
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
      if (early.length > 0) signalled(early[0]);
    });
  },
};
