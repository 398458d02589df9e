// A data plane (real process) against a peer holding the cluster certificate that answers its pulls with what no
// control plane should send. Whatever comes, the data plane keeps serving the configuration it has, says what was
// wrong once (not once per retry), backs off instead of pulling in a loop, and never caches what it cannot run.
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { constants as zlib, createGzip } from 'node:zlib';
import type { Snapshot } from '@tollgate/declarative';
import { http } from '../support/http';
import { stopNode, type RunningNode } from '../support/cli-node';
import { route, service } from '../proxy/support/config';
import { clusterCertificate, proxyAnswers, startDataPlane, startUpstream, waitFor, type ClusterFiles } from './hybrid-support';
import { fullPayload, serving, startFakeControlPlane, type FakeControlPlane } from './fake-control-plane';

/** `size` bytes of spaces gzipped: a few hundred KB on the wire. */
async function gzipBomb(size: number): Promise<Buffer> {
  const gzip = createGzip({ level: zlib.Z_BEST_COMPRESSION });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const chunk = Buffer.alloc(16 << 20, 0x20);
  for (let written = 0; written < size; written += chunk.length) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

/** Peak resident memory of a process (kB -> MB). */
const peakRssMb = (pid: number): number => Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

describe('a data plane whose control plane sends hostile configuration', () => {
  let files: ClusterFiles;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let fake: FakeControlPlane;
  let dp: RunningNode;
  let good: Snapshot;
  const logsSince = (from: number, text: string) => dp.logs.slice(from).filter((l) => l.includes(text));

  beforeAll(async () => {
    files = clusterCertificate();
    upstream = await startUpstream();
    const svc = service({ port: upstream.port });
    good = { _format_version: '3.0', services: [svc], routes: [route(svc, { paths: ['/good'] })] };
    fake = await startFakeControlPlane(files, serving(good));
    // 4 MiB (Kong's minimum): a payload may then inflate to 32 MiB
    dp = await startDataPlane(files, fake.port, { extra: { cluster_max_payload: '4194304' } });
    await proxyAnswers(dp, '/good', 30_000);
  });
  afterAll(async () => {
    if (dp) await stopNode(dp);
    await fake?.close();
    upstream?.server.close();
  });

  /** Back to the good configuration: the data plane is holding it and pulling normally. */
  const settle = async () => {
    fake.answer = serving(good);
    const from = fake.pulls.length;
    await waitFor(async () => fake.pulls.length > from + 1, 'a normal pull', 20_000);
  };

  it('a body that is not JSON: one line naming the payload, not "unreachable", and the route keeps answering', async () => {
    const from = dp.logs.length;
    const pulls = fake.pulls.length;
    fake.answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end('{"type":"full", this is not json');
    await waitFor(async () => fake.pulls.length >= pulls + 3, 'three pulls of the broken body', 20_000);
    expect(logsSince(from, 'control plane sent an unusable configuration: payload is not JSON')).toHaveLength(1);
    expect(logsSince(from, 'control plane unreachable')).toEqual([]);
    expect((await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/good`)).status).toBe(200);
    await settle();
  });

  it('a full snapshot that does not match its hash: pulls back off (not thousands a second), one log line', async () => {
    const from = dp.logs.length;
    const pulls = fake.pulls.length;
    const other: Snapshot = { ...good, routes: [] };
    fake.answer = (res) => res.writeHead(200, { 'content-type': 'application/json' }).end(fullPayload(other, 2, 'b'.repeat(64)));
    await new Promise((r) => setTimeout(r, 2000));
    // backoff from 250 ms doubling: a handful in 2 s (without it, every answer was pulled again at once)
    expect(fake.pulls.length - pulls).toBeLessThan(12);
    expect(logsSince(from, 'does not match its hash')).toHaveLength(1);
    expect((await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/good`)).status).toBe(200);
    await settle();
  });

  it('answers that bring nothing new at once (304 without holding, the held version again): at most one pull a second', async () => {
    const held = fullPayload(good, 1);
    for (const answer of [(res: ServerResponse) => res.writeHead(304).end(), (res: ServerResponse) => res.writeHead(200, { 'content-type': 'application/json' }).end(held)]) {
      const pulls = fake.pulls.length;
      fake.answer = answer;
      await new Promise((r) => setTimeout(r, 2000));
      // a pull that was already held when the answer changed, then one a second (it was about a thousand a second)
      expect(fake.pulls.length - pulls).toBeLessThanOrEqual(4);
    }
    expect((await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/good`)).status).toBe(200);
    await settle();
  });

  it('a gzip body inflating far beyond cluster_max_payload is cut off: memory stays bounded', async () => {
    const bomb = await gzipBomb(256 << 20);
    const from = dp.logs.length;
    fake.answer = (res) => res.writeHead(200, { 'content-type': 'application/json', 'content-encoding': 'gzip', 'content-length': bomb.length }).end(bomb);
    await waitFor(async () => logsSince(from, 'configuration payload decompresses to more than 33554432 bytes').length > 0 || undefined, 'the refusal', 20_000);
    // the supervisor inflated at most 32 MiB, never the 256 MiB announced
    expect(peakRssMb(dp.child.pid!)).toBeLessThan(220);
    expect((await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/good`)).status).toBe(200);
    await settle();
  });

  it('a configuration the workers cannot compile never reaches the disk cache: a restart without control plane serves the good one', async () => {
    const from = dp.logs.length;
    // hashed right, so only the compiler can tell: a service whose host is a number
    const svc = service({ port: upstream.port, host: 5 as never });
    const broken: Snapshot = { _format_version: '3.0', services: [svc], routes: [route(svc, { paths: ['/broken'] })] };
    fake.answer = serving(broken, 2);
    await waitFor(async () => logsSince(from, 'unable to update running config').length > 0 || undefined, 'the worker refusing it', 20_000);
    // past the cache write delay (1 s after the last version)
    await new Promise((r) => setTimeout(r, 2500));
    expect((await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}/good`)).status).toBe(200);
    await stopNode(dp);
    const port = fake.port;
    await fake.close();
    dp = await startDataPlane(files, port, { prefix: dp.prefix, extra: { cluster_max_payload: '4194304' } });
    await proxyAnswers(dp, '/good', 10_000);
    expect(dp.logs.filter((l) => l.includes('unable to update running config'))).toEqual([]);
    const ready = await http('GET', `http://127.0.0.1:${dp.port('status_listen')}/status/ready`);
    expect(ready.status).toBe(200);
  });
});
