// The node flags `tollgate start` gives its data-plane workers (apps/cli/src/supervisor/workers.ts workerExecArgv):
// a node with stream listeners runs them with the larger young generation its connection churn needs, an HTTP-only
// node with the smaller one, a reload that adds stream listeners rolls the workers onto the larger one, and an
// operator's own NODE_OPTIONS size wins. Real `tollgate` processes, read from /proc.
import { readFileSync } from 'node:fs';
import { childPids } from '../support/socket-owner';
import { waitFor } from '../support/wait';
import { loopbackConf, runCliAsync, startNode, stopNode, tempPrefix, writeConf } from '../support/cli-node';
import { STREAM_WORKER_SEMI_SPACE_MB, WORKER_SEMI_SPACE_MB } from '../../apps/cli/src/supervisor/workers';

jest.setTimeout(60_000);

/** The --max-semi-space-size each worker of the node runs with (null: none given). */
function workerSemiSpaces(supervisorPid: number): Array<string | null> {
  return childPids(supervisorPid).map((pid) => {
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
    return args.find((a) => a.startsWith('--max-semi-space-size='))?.split('=')[1] ?? null;
  });
}

describe('data-plane workers\' young generation', () => {
  it('is the smaller one on an HTTP-only node; a reload that adds stream_listen rolls the workers onto the larger one', async () => {
    const prefix = tempPrefix();
    const conf = loopbackConf(prefix, { worker_processes: '1' });
    const confFile = writeConf(prefix, conf);
    const node = await startNode(['-c', confFile, '-p', prefix]);
    try {
      expect(workerSemiSpaces(node.child.pid!)).toEqual([String(WORKER_SEMI_SPACE_MB)]);
      writeConf(prefix, { ...conf, stream_listen: '127.0.0.1:0' });
      const reload = await runCliAsync(['reload', '-p', prefix]);
      expect(reload.code).toBe(0);
      await waitFor(async () => {
        const now = workerSemiSpaces(node.child.pid!);
        return now.length === 1 && now[0] === String(STREAM_WORKER_SEMI_SPACE_MB) ? true : undefined;
      }, 'the rolled worker on the stream size');
    } finally {
      await stopNode(node);
    }
  });

  it('is the larger one on a node started with stream listeners, unless NODE_OPTIONS sizes it', async () => {
    for (const [nodeOptions, want] of [[undefined, String(STREAM_WORKER_SEMI_SPACE_MB)], ['--max-semi-space-size=3', null]] as const) {
      const prefix = tempPrefix();
      const node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { stream_listen: '127.0.0.1:0', worker_processes: '2' })), '-p', prefix],
        nodeOptions === undefined ? {} : { env: { NODE_OPTIONS: nodeOptions } });
      try {
        // the operator's size reaches the workers through NODE_OPTIONS itself, not as a flag of ours
        expect(workerSemiSpaces(node.child.pid!)).toEqual([want, want]);
      } finally {
        await stopNode(node);
      }
    }
  });
});
