import { isAlive } from '../supervisor/pidfile';
import { runningNodeFromArgs } from '../settings';
import type { Command } from './types';

export const stop: Command = {
  summary: 'stop the node running in a prefix, letting in-flight requests finish',
  usage: 'tollgate stop [-p PREFIX] [-c FILE] [--timeout SECONDS]',
  async run(args) {
    const node = runningNodeFromArgs(args);
    if (node === null) return 1;
    const { pid } = node;
    process.kill(pid, 'SIGTERM');
    const timeoutMs = (Number(args.flags.timeout) || 15) * 1000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!isAlive(pid)) {
        process.stdout.write(`tollgate stopped (pid ${pid})\n`);
        return 0;
      }
      await new Promise((r) => setTimeout(r, 50));
    }
    process.stderr.write(`tollgate (pid ${pid}) did not stop within ${timeoutMs / 1000} s\n`);
    return 1;
  },
};
