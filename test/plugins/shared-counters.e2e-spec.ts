// The node-wide counters across real processes: two processes map the same counter file (as two data-plane
// workers of a node do) and hammer one rate-limit counter at the same time. Exactly `limit` requests may pass in
// all, and none is counted twice or lost. Runs the compiled code (npm run build), as the workers do.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT, tempPrefix } from '../support/cli-node';
import { guardPipes } from '../support/child-pipes';

jest.setTimeout(60_000);

const DIST = join(ROOT, 'dist', 'apps', 'cli', 'libs', 'plugins', 'src');

/** A process that makes `attempts` decisions on one counter with `limit`, starting at `startAt` (ms epoch). */
function hammer(file: string, attempts: number, limit: number, startAt: number): Promise<{ allowed: number }> {
  const script = `
    const counters = require(${JSON.stringify(join(DIST, 'shared-counters'))});
    counters.useSharedCountersFile(${JSON.stringify(file)});
    const { LocalPolicy, prepareLimit, localCountersProblem } = require(${JSON.stringify(join(DIST, 'bundled', 'rate-limiting', 'policies'))});
    if (localCountersProblem()) throw new Error(localCountersProblem());
    const policy = new LocalPolicy('plugin-under-test');
    const limits = [prepareLimit('year', ${limit}, 5)];
    while (Date.now() < ${startAt});
    let allowed = 0;
    for (let i = 0; i < ${attempts}; i++) if (policy.usage('route', 'service', '203.0.113.9', limits, Date.now())[0] < ${limit}) allowed++;
    process.stdout.write(JSON.stringify({ allowed }));`;
  return new Promise((resolve, reject) => {
    const child = guardPipes(spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'pipe'] }));
    let out = '';
    let err = '';
    child.stdout.on('data', (c) => (out += c));
    child.stderr.on('data', (c) => (err += c));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`exit ${code}: ${err}`))));
  });
}

describe('shared counters across processes', () => {
  it('two processes on one counter file: exactly the limit passes, whatever the interleaving', async () => {
    const file = join(tempPrefix(), 'shm', 'counters');
    const startAt = Date.now() + 1500; // both busy at the same time
    const [a, b] = await Promise.all([hammer(file, 200_000, 250_000, startAt), hammer(file, 200_000, 250_000, startAt)]);
    expect(a.allowed + b.allowed).toBe(250_000);
    // both took part (a process that ran alone would have got 200,000)
    expect(a.allowed).toBeGreaterThanOrEqual(50_000);
    expect(b.allowed).toBeGreaterThanOrEqual(50_000);
  });
});
