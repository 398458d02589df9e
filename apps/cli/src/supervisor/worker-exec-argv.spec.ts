import { operatorSetSemiSpace, WORKER_SEMI_SPACE_MB, workerExecArgv } from './workers';

describe('workerExecArgv', () => {
  it('caps the workers\' young generation, keeping the supervisor\'s own flags', () => {
    expect(workerExecArgv(['--enable-source-maps'], undefined)).toEqual(['--enable-source-maps', `--max-semi-space-size=${WORKER_SEMI_SPACE_MB}`]);
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
