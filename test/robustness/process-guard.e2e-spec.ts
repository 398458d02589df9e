// The process-wide last line of defence (libs/logging guardProcess), in a real Node process running the compiled
// code: a throw from a timer and a rejected promise nobody awaits are logged as one line each, and the process
// carries on instead of exiting with code 1.
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from '../support/cli-node';

const GUARD = join(ROOT, 'dist', 'apps', 'cli', 'libs', 'logging', 'src', 'process-guard.js');

const SCRIPT = `
const { guardProcess } = require(${JSON.stringify(GUARD)});
guardProcess({ error: (obj, msg) => process.stdout.write(JSON.stringify({ msg, ...obj }) + '\\n') });
setTimeout(() => { throw new TypeError('from a timer'); }, 10);
setTimeout(() => { Promise.reject(new Error('nobody awaits me')); }, 20);
setTimeout(() => { process.stdout.write('still running\\n'); process.exit(0); }, 200);
`;

it('a throw from a timer and an unhandled rejection are logged once each; the process keeps running', async () => {
  const child = spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (c) => (out += c));
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  const lines = out.trim().split('\n');
  expect(code).toBe(0);
  expect(lines).toHaveLength(3);
  expect(JSON.parse(lines[0]).err).toMatch(/^TypeError: from a timer/);
  expect(JSON.parse(lines[1]).msg).toBe('unhandled promise rejection');
  expect(lines[2]).toBe('still running');
});
