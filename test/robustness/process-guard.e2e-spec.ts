// The process-wide last line of defence (libs/logging guardProcess), in a real Node process running the compiled
// code: a throw from a timer and a rejected promise nobody awaits are logged as one line each, and the process
// carries on instead of exiting with code 1.
import { spawn } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { ROOT, loopbackConf, runCli, startNode, stopNode, tempPrefix, writeConf } from '../support/cli-node';
import { guardPipes } from '../support/child-pipes';

const GUARD = join(ROOT, 'dist', 'apps', 'cli', 'libs', 'logging', 'src', 'process-guard.js');

const SCRIPT = `
const { guardProcess } = require(${JSON.stringify(GUARD)});
guardProcess({ error: (obj, msg) => process.stdout.write(JSON.stringify({ msg, ...obj }) + '\\n') });
setTimeout(() => { throw new TypeError('from a timer'); }, 10);
setTimeout(() => { Promise.reject(new Error('nobody awaits me')); }, 20);
setTimeout(() => { process.stdout.write('still running\\n'); process.exit(0); }, 200);
`;

it('a throw from a timer and an unhandled rejection are logged once each; the process keeps running', async () => {
  const child = guardPipes(spawn(process.execPath, ['-e', SCRIPT], { stdio: ['ignore', 'pipe', 'pipe'] }));
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

// The same guard in the supervisor of every role, on real `tollgate start` nodes: a fault injected with --require
// (SIGUSR2 makes the supervisor throw from a timer and leave a rejected promise) is logged, and the node keeps
// serving. The data-plane supervisor (status_listen, the cluster pull) has no control plane to install it.
describe('the supervisor of every role survives a throw from a timer and an unhandled rejection', () => {
  const dir = tempPrefix();
  const inject = join(dir, 'inject-fault.js');
  writeFileSync(inject, `
if (!require('node:cluster').isWorker) {
  process.on('SIGUSR2', () => {
    setTimeout(() => { throw new Error('injected fault from a timer'); }, 0);
    Promise.reject(new Error('injected rejection'));
  });
}
`);
  const cert = join(dir, 'cluster.crt');
  const key = join(dir, 'cluster.key');
  beforeAll(() => expect(runCli(['cluster', 'cert', cert, key]).code).toBe(0));

  it.each([
    ['traditional', {}, 'admin_listen'],
    ['control_plane', { role: 'control_plane', cluster_listen: '127.0.0.1:0', cluster_cert: cert, cluster_cert_key: key }, 'admin_listen'],
    // no control plane to reach: the data plane serves its status listener and keeps retrying the pull
    ['data_plane', { role: 'data_plane', cluster_control_plane: '127.0.0.1:9', cluster_cert: cert, cluster_cert_key: key }, 'status_listen'],
  ] as const)('%s', async (_role, extra, probe) => {
    const prefix = tempPrefix();
    const conf = loopbackConf(prefix, extra);
    const node = await startNode(['-c', writeConf(prefix, conf), '-p', prefix], { env: { NODE_OPTIONS: `--require ${inject}` } });
    try {
      const url = `http://127.0.0.1:${node.port(probe)}/status`;
      expect((await http('GET', url)).status).toBe(200);
      process.kill(node.child.pid!, 'SIGUSR2');
      const logged = (text: string) => node.logs.some((l) => l.includes(text)) || readLogs(prefix).includes(text);
      await waitFor(async () => (logged('injected fault from a timer') && logged('injected rejection') ? true : undefined), 'both faults in the logs');
      await new Promise((r) => setTimeout(r, 200));
      expect(node.child.exitCode).toBeNull();
      expect((await http('GET', url)).status).toBe(200);
    } finally {
      await stopNode(node);
    }
    expect((await node.exited).code).toBe(0);
  });
});

function readLogs(prefix: string): string {
  const logs = join(prefix, 'logs');
  return existsSync(logs) ? readdirSync(logs).map((f) => readFileSync(join(logs, f), 'utf8')).join('\n') : '';
}
