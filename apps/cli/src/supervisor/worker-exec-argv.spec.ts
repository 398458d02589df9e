import { WORKER_SEMI_SPACE_MB, workerExecArgv } from './workers';

describe('workerExecArgv', () => {
  it('caps the workers\' young generation, keeping the supervisor\'s own flags', () => {
    expect(workerExecArgv(['--enable-source-maps'], undefined)).toEqual(['--enable-source-maps', `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
  });

  it.each([
    [['--max-semi-space-size=32'], undefined],
    [['--max_semi_space_size=32'], undefined],
    [[], '--max-old-space-size=512 --max-semi-space-size=32'],
  ])('leaves an operator\'s own semi-space size alone (execArgv %j, NODE_OPTIONS %j)', (execArgv, nodeOptions) => {
    expect(workerExecArgv(execArgv, nodeOptions)).toEqual(execArgv);
  });
});
