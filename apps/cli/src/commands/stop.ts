import { secondsFlag } from '../args';
import { runningNodeFromArgs } from '../settings';
import { waitForExit } from './node-signals';
import type { Command } from './types';

export const stop: Command = {
  summary: 'stop the node running in a prefix, letting in-flight requests finish',
  usage: 'tollgate stop [-p PREFIX] [-c FILE] [--timeout SECONDS]',
  positionals: 0,
  async run(args) {
    const timeoutMs = secondsFlag(args, 'timeout', 15) * 1000;
    const node = runningNodeFromArgs(args);
    if (node === null) return 1;
    const { pid } = node;
    process.kill(pid, 'SIGTERM');
    if (await waitForExit(pid, timeoutMs)) {
      process.stdout.write(`tollgate stopped (pid ${pid})\n`);
      return 0;
    }
    process.stderr.write(`tollgate (pid ${pid}) did not stop within ${timeoutMs / 1000} s\n`);
    return 1;
  },
};
