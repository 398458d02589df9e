import { isAlive, readPid } from '../supervisor/pidfile';
import { prefixFromArgs } from '../settings';
import type { Command } from './types';

export const stop: Command = {
  summary: 'stop the node running in a prefix, letting in-flight requests finish',
  usage: 'tollgate stop [-p PREFIX] [-c FILE] [--timeout SECONDS]',
  async run(args) {
    const prefix = prefixFromArgs(args);
    const pid = readPid(prefix);
    if (pid === null || !isAlive(pid)) {
      process.stderr.write(`tollgate is not running in ${prefix}\n`);
      return 1;
    }
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
