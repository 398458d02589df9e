// `tollgate restart`, as `kong restart`: stop the node in the prefix (gracefully), then start with the same
// options. Like `start`, the new node runs in the foreground of this command.
import { resolve } from 'node:path';
import { secondsFlag } from '../args';
import { prefixFromArgs } from '../settings';
import { isAlive, readPid, readReloadStatus } from '../supervisor/pidfile';
import { waitForExit } from './node-signals';
import { start } from './start';
import type { Command } from './types';

export const restart: Command = {
  summary: 'stop the node in the prefix gracefully, then start it again in the foreground (same options as start)',
  usage: 'tollgate restart [-c FILE] [-p PREFIX] [--timeout SECONDS (15)]',
  positionals: 0,
  async run(args) {
    const timeoutMs = secondsFlag(args, 'timeout', 15) * 1000;
    const prefix = prefixFromArgs(args);
    const pid = readPid(prefix);
    // without -c, the file the running node was started with
    const recorded = readReloadStatus(prefix);
    const conf = typeof args.flags.conf === 'string' ? resolve(args.flags.conf) : recorded?.pid === pid ? recorded?.conf : null;
    if (pid !== null && isAlive(pid)) {
      process.kill(pid, 'SIGTERM');
      if (!(await waitForExit(pid, timeoutMs))) {
        process.stderr.write(`Error: tollgate (pid ${pid}) did not stop within ${timeoutMs / 1000} s; not starting\n`);
        return 1;
      }
    }
    return start.run({ ...args, flags: { ...args.flags, prefix, ...(conf ? { conf } : {}) } });
  },
};
