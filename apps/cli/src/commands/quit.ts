// `tollgate quit`, as `kong quit`: optionally wait (a load balancer notices the node draining), then stop
// gracefully (SIGQUIT: in-flight requests finish); past --timeout, force the stop (a second signal cuts every
// connection).
import { secondsFlag } from '../args';
import { runningNodeFromArgs } from '../settings';
import { waitForExit } from './node-signals';
import type { Command } from './types';

const FORCED_GRACE_MS = 5000;

export const quit: Command = {
  summary: 'stop the node gracefully: wait --wait seconds, then let requests finish, forcing after --timeout',
  usage: 'tollgate quit [-p PREFIX] [-c FILE] [-w|--wait SECONDS (0)] [-t|--timeout SECONDS (10)]',
  positionals: 0,
  async run(args) {
    const waitS = secondsFlag(args, 'wait', 0);
    // Kong's floor: a zero timeout would force every quit
    const timeoutS = Math.max(1, secondsFlag(args, 'timeout', 10));
    const node = runningNodeFromArgs(args);
    if (node === null) return 1;
    const { pid } = node;
    if (waitS > 0) {
      process.stdout.write(`waiting ${waitS} s before quitting\n`);
      await new Promise((r) => setTimeout(r, waitS * 1000));
    }
    process.kill(pid, 'SIGQUIT');
    if (await waitForExit(pid, timeoutS * 1000)) {
      process.stdout.write(`tollgate stopped (gracefully) (pid ${pid})\n`);
      return 0;
    }
    process.stderr.write(`tollgate (pid ${pid}) still running after ${timeoutS} s: forcing shutdown\n`);
    process.kill(pid, 'SIGTERM');
    if (await waitForExit(pid, FORCED_GRACE_MS)) {
      process.stdout.write(`tollgate stopped (forced) (pid ${pid})\n`);
      return 0;
    }
    process.kill(pid, 'SIGKILL');
    process.stderr.write(`tollgate (pid ${pid}) did not stop; killed\n`);
    return 1;
  },
};
