// `tollgate reload`, as `kong reload`: check the configuration the node runs from, then SIGHUP it and wait for
// its report. The node re-reads the file itself (new listeners opened, removed ones drained, workers rolled one
// at a time); a file that does not load is refused here, before the node is signalled.
import { resolve } from 'node:path';
import { secondsFlag } from '../args';
import { runningNodeFromArgs, settingsFromArgs } from '../settings';
import { readReloadStatus } from '../supervisor/pidfile';
import { pollFor } from './node-signals';
import type { Command } from './types';

export const reload: Command = {
  summary: 're-read tollgate.conf and apply it without dropping a request (same as SIGHUP)',
  usage: 'tollgate reload [-p PREFIX] [-c FILE] [--timeout SECONDS (60)]',
  positionals: 0,
  async run(args) {
    const timeoutMs = secondsFlag(args, 'timeout', 60) * 1000;
    const node = runningNodeFromArgs(args);
    if (node === null) return 1;
    const before = readReloadStatus(node.prefix);
    const conf = before?.pid === node.pid ? before.conf : null;
    if (typeof args.flags.conf === 'string' && conf !== null && resolve(args.flags.conf) !== conf) {
      process.stderr.write(`Error: the node in ${node.prefix} reads ${conf}; edit that file and reload, or restart with -c ${args.flags.conf}\n`);
      return 1;
    }
    // the same validation the node runs: a broken file fails here with every bad key, and nothing is signalled
    settingsFromArgs({ ...args, flags: { ...args.flags, prefix: node.prefix, ...(conf !== null ? { conf } : {}) } });
    const seq = before?.pid === node.pid ? before.seq : 0;
    process.kill(node.pid, 'SIGHUP');
    const after = await pollFor(() => {
      const s = readReloadStatus(node.prefix);
      return s && s.pid === node.pid && s.seq > seq ? s : undefined;
    }, timeoutMs);
    if (!after) {
      process.stderr.write(`Error: tollgate (pid ${node.pid}) did not report the reload within ${timeoutMs / 1000} s\n`);
      return 1;
    }
    if (!after.ok) {
      process.stderr.write(`Error: reload failed: ${after.message}\n`);
      return 1;
    }
    process.stdout.write(`tollgate reloaded (pid ${node.pid}): ${after.message}\n`);
    return 0;
  },
};
