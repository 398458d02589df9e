// rate-limiting with policy redis (a real Redis at 127.0.0.1:6379): two gateway processes share one limit;
// fault_tolerant decides what happens when Redis is unreachable.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { closeRedisClients } from '@tollgate/plugins';
import { SnapshotBuilder, startEchoUpstream, startHarness, type EchoUpstream } from '@tollgate/plugins/testing';
import { http } from '../support/http';
import { awayFromWindowEdge } from './support/kit';

const REDIS = { host: '127.0.0.1', port: 6379 };

function startChild(snapshotFile: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['-r', join(__dirname, '..', '..', 'tools', 'ts-register.js'), join(__dirname, 'support', 'gateway-child.ts')], {
    env: { ...process.env, SNAPSHOT_FILE: snapshotFile },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (c) => {
      out += c;
      const m = /PORT (\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`gateway child exited with ${code}`)));
  });
}

describe('rate-limiting redis policy (two processes)', () => {
  let upstream: EchoUpstream;
  const children: ChildProcess[] = [];

  beforeAll(async () => {
    upstream = await startEchoUpstream();
  });
  afterAll(async () => {
    for (const c of children) c.kill('SIGTERM');
    await closeRedisClients();
    await upstream.close();
  });

  it('two gateway processes share one counter: 5 per minute across both', async () => {
    // fresh route/service ids make the Redis keys unique to this run
    const b = new SnapshotBuilder();
    const service = b.service(upstream.port);
    const route = b.route(service, ['/shared']);
    b.plugin('rate-limiting', { minute: 5, hour: 100, policy: 'redis', redis: REDIS, limit_by: 'ip' }, { route });
    const file = join(mkdtempSync(join(tmpdir(), 'tollgate-rl-')), 'snapshot.json');
    writeFileSync(file, JSON.stringify(b.build()));
    const [a, c] = await Promise.all([startChild(file), startChild(file)]);
    children.push(a.child, c.child);
    const ports = [a.port, c.port];
    await awayFromWindowEdge();
    const seen: Array<[number, string | undefined]> = [];
    for (let i = 0; i < 7; i++) {
      const res = await http('GET', `http://127.0.0.1:${ports[i % 2]}/shared/x`);
      seen.push([res.status, res.headers['x-ratelimit-remaining-minute'] as string | undefined]);
    }
    expect(seen).toEqual([[200, '4'], [200, '3'], [200, '2'], [200, '1'], [200, '0'], [429, '0'], [429, '0']]);
  });

  it.each([
    [true, 200],
    [false, 500],
  ])('fault_tolerant=%s with Redis unreachable -> %i', async (faultTolerant, status) => {
    const b = new SnapshotBuilder();
    const service = b.service(upstream.port);
    const route = b.route(service, ['/down']);
    b.plugin('rate-limiting', { minute: 5, policy: 'redis', redis: { host: '127.0.0.1', port: 1, timeout: 200 }, fault_tolerant: faultTolerant }, { route });
    const gateway = await startHarness(b.build());
    try {
      const res = await http('GET', `${gateway.url}/down/x`);
      expect(res.status).toBe(status);
      expect(res.headers['x-ratelimit-limit-minute']).toBeUndefined();
      if (status === 500) expect(res.json.message).toBe('An unexpected error occurred');
    } finally {
      await gateway.close();
    }
  });
});
