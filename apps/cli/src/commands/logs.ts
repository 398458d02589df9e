// `tollgate logs reopen`: for logrotate's postrotate, the same as SIGUSR1 (nginx's `-s reopen`).
import { UsageError } from '../args';
import { runningNodeFromArgs } from '../settings';
import type { Command } from './types';

export const logs: Command = {
  summary: 'reopen the log files of the running node (after logrotate moved them; same as SIGUSR1)',
  usage: 'tollgate logs reopen [-p PREFIX]',
  positionals: 1,
  async run(args) {
    const [sub] = args.positionals;
    if (sub !== 'reopen') throw new UsageError(sub ? `unknown logs sub-command '${sub}'` : 'logs needs a sub-command: reopen');
    const node = runningNodeFromArgs(args);
    if (node === null) return 1;
    process.kill(node.pid, 'SIGUSR1');
    process.stdout.write(`asked tollgate (pid ${node.pid}) to reopen its log files\n`);
    return 0;
  },
};
