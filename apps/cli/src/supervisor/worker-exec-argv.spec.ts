import { operatorSetSemiSpace, STREAM_WORKER_SEMI_SPACE_MB, WORKER_SEMI_SPACE_MB, workerExecArgv } from './workers';

describe('workerExecArgv', () => {
  it('caps the workers\' young generation, keeping the supervisor\'s own flags', () => {
    expect(workerExecArgv(['--enable-source-maps'], undefined)).toEqual(['--enable-source-maps', `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
  });

  it('gives a node with stream listeners the larger young generation (connection churn), HTTP-only nodes the smaller', () => {
    expect(workerExecArgv([], undefined, true)).toEqual([`--max-semi-space-size=${STREAM_WORKER_SEMI_SPACE_MB}`]);
    expect(workerExecArgv([], undefined, false)).toEqual([`--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
    expect(STREAM_WORKER_SEMI_SPACE_MB).toBeGreaterThan(WORKER_SEMI_SPACE_MB);
    expect(workerExecArgv([], '--max-semi-space-size=1', true)).toEqual([]);
  });

  it.each([
    [['--max-semi-space-size=32'], undefined],
    [['--max_semi_space_size=32'], undefined],
    [['--min-semi-space-size=4'], undefined],
    [[], '--max-old-space-size=512 --max-semi-space-size=32'],
    [[], '--semi-space-growth-factor=4'],
  ])('leaves an operator\'s own semi-space size alone (execArgv %j, NODE_OPTIONS %j)', (execArgv, nodeOptions) => {
    expect(workerExecArgv(execArgv, nodeOptions)).toEqual(execArgv);
    expect(operatorSetSemiSpace(execArgv, nodeOptions)).toBe(true);
  });

  it('does not take other V8 sizes for a semi-space setting', () => {
    expect(operatorSetSemiSpace(['--max-old-space-size=512'], '--stack-size=2000')).toBe(false);
  });
});
