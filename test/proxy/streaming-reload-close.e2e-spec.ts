// Large streamed bodies, configuration swaps under load, graceful close under load.
import { createHash } from 'node:crypto';
import { Agent, request } from 'node:http';
import { connect } from 'node:net';
import { route, service, snapshot } from './support/config';
import { send } from './support/client';
import { startTestDataPlane } from './support/data-plane';
import { startUpstream } from './support/upstreams';
import { RawConnection } from '../support/raw-http';

const MB = 1024 * 1024;
// 50 MB each way through real sockets: generous on a loaded 2-core machine
jest.setTimeout(150_000);

/** Deterministic pseudo-random bytes, produced in chunks so nothing holds 50 MB at once. */
function* chunks(total: number, seed: number): Generator<Buffer> {
  let x = seed;
  for (let sent = 0; sent < total; ) {
    const size = Math.min(64 * 1024, total - sent);
    const buf = Buffer.allocUnsafe(size);
    for (let i = 0; i < size; i += 4) {
      x = (Math.imul(x, 1664525) + 1013904223) >>> 0;
      buf.writeUInt32LE(x, i);
    }
    sent += size;
    yield buf;
  }
}

function hashOf(total: number, seed: number): string {
  const h = createHash('sha256');
  for (const c of chunks(total, seed)) h.update(c);
  return h.digest('hex');
}

describe('streaming, reloads and graceful close', () => {
  it('streams 50 MB each way, sha256-identical, chunked both ways', async () => {
    const upstream = await startUpstream();
    // Replace the buffering echo with a streaming one.
    upstream.server.removeAllListeners('request');
    upstream.server.on('request', (req, res) => {
      const h = createHash('sha256');
      req.on('data', (c: Buffer) => h.update(c));
      req.on('end', () => {
        res.writeHead(200, { 'x-request-sha256': h.digest('hex'), 'x-request-te': String(req.headers['transfer-encoding']) });
        const gen = chunks(50 * MB, 7);
        const pump = () => {
          for (let r = gen.next(); !r.done; r = gen.next()) if (!res.write(r.value)) return void res.once('drain', pump);
          res.end();
        };
        pump();
      });
    });
    const svc = service({ port: upstream.port });
    const t = await startTestDataPlane(snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
    try {
      const result = await new Promise<{ requestSha: string; te: string; responseSha: string; bytes: number }>((resolve, reject) => {
        const req = request({ host: '127.0.0.1', port: t.port, method: 'POST', path: '/big', agent: false }, (res) => {
          const h = createHash('sha256');
          let bytes = 0;
          res.on('data', (c: Buffer) => {
            bytes += c.length;
            h.update(c);
          });
          res.on('end', () =>
            resolve({ requestSha: String(res.headers['x-request-sha256']), te: String(res.headers['x-request-te']), responseSha: h.digest('hex'), bytes }),
          );
          res.on('error', reject);
        });
        req.on('error', reject);
        const gen = chunks(50 * MB, 3);
        const pump = () => {
          for (let r = gen.next(); !r.done; r = gen.next()) if (!req.write(r.value)) return void req.once('drain', pump);
          req.end();
        };
        pump();
      });
      expect(result.te).toBe('chunked');
      expect(result.requestSha).toBe(hashOf(50 * MB, 3));
      expect(result.bytes).toBe(50 * MB);
      expect(result.responseSha).toBe(hashOf(50 * MB, 7));
    } finally {
      await t.dp.close();
      await upstream.close();
    }
  });

  it('applies 1,000 configuration changes while load runs: zero failed or torn requests', async () => {
    const upstream = await startUpstream((req, res) => res.end(req.url));
    const configFor = (v: number) => {
      const svc = service({ id: '11111111-0000-4000-8000-000000000001', port: upstream.port, path: `/v${v}` });
      const extra = Array.from({ length: 50 }, (_, i) => route(svc, { id: `22222222-0000-4000-8000-${String(i).padStart(12, '0')}`, paths: [`/r${v}-${i}`] }));
      return snapshot({ services: [svc], routes: [route(svc, { id: '33333333-0000-4000-8000-000000000001', paths: ['/stable'] }), ...extra] }, v);
    };
    const t = await startTestDataPlane(configFor(0));
    const agent = new Agent({ keepAlive: true, maxSockets: 20 });
    let applying = true;
    let ok = 0;
    const failures: string[] = [];
    const loop = async () => {
      let lastSeen = -1;
      while (applying) {
        try {
          const reply = await send(t.port, { path: '/stable', agent });
          const m = /^\/v(\d+)$/.exec(reply.body);
          if (reply.status !== 200 || !m) failures.push(`${reply.status} ${reply.body}`);
          else if (Number(m[1]) < lastSeen) failures.push(`went back from v${lastSeen} to ${reply.body}`);
          else {
            lastSeen = Number(m[1]);
            ok++;
          }
        } catch (err) {
          failures.push((err as Error).message);
        }
      }
    };
    const loops = Array.from({ length: 20 }, loop);
    try {
      let applied = 0;
      for (let v = 1; v <= 1000; v++) {
        t.provider.update(configFor(v));
        const result = t.dp.lastApply();
        if (result && !(result instanceof Error) && result.applied) applied++;
        await new Promise((r) => setImmediate(r));
      }
      // Re-sending the same snapshot is skipped (unchanged hash).
      t.provider.update(configFor(1000));
      expect((t.dp.lastApply() as { applied: boolean }).applied).toBe(false);
      applying = false;
      await Promise.all(loops);
      expect(applied).toBe(1000);
      expect(t.dp.runtime.current.version).toBe(1000);
      expect(failures.slice(0, 5)).toEqual([]);
      expect(ok).toBeGreaterThan(1000);
      expect((await send(t.port, { path: '/r1000-7' })).body).toBe('/v1000');
    } finally {
      applying = false;
      agent.destroy();
      await t.dp.close();
      await upstream.close();
    }
  });

  it('graceful close under load: in-flight requests finish, idle keep-alive connections still answer, zero resets, then the port is closed', async () => {
    let arrived = 0;
    // the slow answers are held until the close has started: each is in flight when it does, however slow the machine
    let release!: () => void;
    const closeStarted = new Promise<void>((r) => (release = r));
    const upstream = await startUpstream((req, res) => {
      arrived++;
      if (req.url === '/warm') return void res.end('done');
      void closeStarted.then(() => setTimeout(() => res.end('done'), 300));
    });
    const svc = service({ port: upstream.port });
    const t = await startTestDataPlane(snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] }));
    // 8 keep-alive connections, idle when the close starts, whose clients send their next request during it
    const idle = await Promise.all(Array.from({ length: 8 }, () => RawConnection.open(t.port)));
    for (const c of idle) expect((await c.request('/warm')).status).toBe(200);
    const agent = new Agent({ keepAlive: true, maxSockets: 200 });
    const inflight = Array.from({ length: 200 }, () => send(t.port, { path: '/slow', agent }).then((r) => `${r.status} ${r.body} ${r.headers.connection}`, (e: NodeJS.ErrnoException) => e.code ?? e.message));
    // a wait, not a timing assertion: 200 connections can take long to open on a loaded machine
    const deadline = Date.now() + 30_000;
    while (arrived < 208 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(arrived).toBe(208);
    const closing = t.dp.close({ graceful: true, timeoutMs: 5000 });
    release();
    const late = idle.map((c, i) => new Promise<string>((resolve) => {
      setTimeout(() => c.request('/late').then((r) => resolve(`${r.status} ${r.body} ${r.headers.connection}`), (e: Error) => resolve(e.message)), i * 50);
    }));
    const refused = await new Promise<string>((resolve) => {
      const s = connect(t.port, '127.0.0.1');
      s.on('connect', () => resolve('connected'));
      s.on('error', (e: NodeJS.ErrnoException) => resolve(String(e.code)));
    });
    const results = await Promise.all(inflight);
    const lateResults = await Promise.all(late);
    await closing;
    agent.destroy();
    for (const c of idle) c.close();
    await upstream.close();
    expect(refused).toBe('ECONNREFUSED');
    expect([...results, ...lateResults].filter((r) => r === 'ECONNRESET' || r === 'connection closed' || /socket hang up/.test(r))).toEqual([]);
    expect(results.filter((r) => r !== '200 done close')).toEqual([]);
    expect(lateResults).toEqual(Array(8).fill('200 done close'));
  });
});
