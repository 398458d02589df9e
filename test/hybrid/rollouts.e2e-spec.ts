// Staged rollouts through real processes: one control plane (SQLite, then PostgreSQL) and three labelled data planes
// (one canary). The steps share the processes and run in order: open, a change reaching the canary only, promote,
// complete; a rollout aborted (its change gone); a hold that promotes by itself; an abort on 5xx answers; a control
// plane restart mid-rollout; the release each data plane's disk cache records.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { readCacheFile } from '@tollgate/declarative';
import { http, type Reply } from '../support/http';
import { stopNode, type RunningNode } from '../support/cli-node';
import { dropSchema, pgConf } from '../support/pg';
import { addRoute, clusterCertificate, proxyAnswers, startControlPlane, startDataPlane, startUpstream, waitFor, type ClusterFiles } from './hybrid-support';

jest.setTimeout(120_000);

/** Requests a stage must have answered before its error rate is judged (rollouts.service.ts MIN_REQUESTS). */
const MIN_REQUESTS = 100;

const CANARY_FIRST = { stages: [{ labels: { tier: 'canary' }, hold_seconds: 300 }, { labels: {} }], max_error_rate: 0.02 };

describe.each(['sqlite', 'postgres'] as const)('staged rollouts on %s: control plane + 3 labelled data planes', (kind) => {
  const schema = `rollouts_${randomBytes(4).toString('hex')}`;
  const dbConf = kind === 'postgres' ? pgConf(schema) : {};
  let files: ClusterFiles;
  let cp: RunningNode;
  let canary: RunningNode;
  let stable: RunningNode[];
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const admin = (method: string, path: string, body?: unknown): Promise<Reply> => http(method, `http://127.0.0.1:${cp.port('admin_listen')}${path}`, { body });
  const proxyStatus = async (dp: RunningNode, path: string) => (await http('GET', `http://127.0.0.1:${dp.port('proxy_listen')}${path}`)).status;
  /** The latest release once it holds `route`: releases are recorded a moment after the write is acknowledged. */
  const releaseHolding = (route: string) => waitFor(async () => {
    const latest = (await admin('GET', '/config/releases?size=1')).json.data[0];
    return (await admin('GET', `/config/releases/${latest.number}/config`)).json.routes.some((r: any) => r.name === route) ? latest : undefined;
  }, `the release holding /${route}`);
  const proxyGone = (dp: RunningNode, path: string) => waitFor(async () => (await proxyStatus(dp, path)) === 404 || undefined, `${path} gone on ${dp.prefix}`);

  beforeAll(async () => {
    files = clusterCertificate();
    upstream = await startUpstream();
    cp = await startControlPlane(files, { extra: dbConf });
    const port = cp.port('cluster_listen');
    [canary, ...stable] = await Promise.all([
      startDataPlane(files, port, { extra: { cluster_dp_labels: 'tier:canary,region:eu' } }),
      startDataPlane(files, port, { extra: { cluster_dp_labels: 'tier:stable,region:eu' } }),
      startDataPlane(files, port, { extra: { cluster_dp_labels: 'tier:stable' } }),
    ]);
    await addRoute(cp.port('admin_listen'), 'base', upstream.port);
    await Promise.all([canary, ...stable].map((dp) => proxyAnswers(dp, '/base')));
  });
  // a test that fails with its rollout open must not fail the next ones with 409 (one open rollout at a time)
  afterEach(async () => {
    if (!cp) return;
    const open = ((await admin('GET', '/rollouts')).json?.data ?? []).filter((r: any) => r.state === 'open');
    for (const r of open) await admin('POST', `/rollouts/${r.id}/abort`, { reason: 'left open by a failed test' });
  });
  afterAll(async () => {
    await Promise.all([canary, ...(stable ?? []), cp].filter(Boolean).map((n) => stopNode(n)));
    upstream?.server.close();
    if (kind === 'postgres') await dropSchema(schema);
  });

  it('refuses a bad body with a schema violation naming the field', async () => {
    const missing = await admin('POST', '/rollouts', { max_error_rate: 0.02 });
    expect(missing.status).toBe(400);
    expect(missing.json).toMatchObject({ code: 2, name: 'schema violation', fields: { stages: 'required field missing' } });
    const badHold = await admin('POST', '/rollouts', { stages: [{ labels: { tier: 'canary' }, hold_seconds: -5 }], max_error_rate: 2 });
    expect(badHold.status).toBe(400);
    expect(badHold.json.fields.stages[0].hold_seconds).toMatch(/integer/);
    expect(badHold.json.fields.max_error_rate).toMatch(/between 0 and 1/);
    expect(badHold.json.message).toMatch(/^2 schema violations/);
    expect((await admin('GET', '/rollouts')).json).toEqual({ data: [], next: null });
  });

  it('a change during a rollout reaches the canary only; promote reaches all; past the last stage completes', async () => {
    const latestBefore = await releaseHolding('base');
    const opened = await admin('POST', '/rollouts', CANARY_FIRST);
    expect(opened.status).toBe(201);
    expect(opened.json).toMatchObject({ state: 'open', current_stage: 0, reason: null, max_error_rate: 0.02, baseline: { number: latestBefore.number, hash: latestBefore.hash } });
    expect(opened.json.stages[0]).toMatchObject({ labels: { tier: 'canary' }, hold_seconds: 300, started_at: expect.any(Number) });
    expect(opened.json.stages[1]).toMatchObject({ labels: {}, hold_seconds: null, started_at: null });
    const id: string = opened.json.id;

    const second = await admin('POST', '/rollouts', CANARY_FIRST);
    expect(second.status).toBe(409);
    expect(second.json.message).toBe(`rollout ${id} is already open: promote or abort it before opening another`);

    await addRoute(cp.port('admin_listen'), 'during', upstream.port);
    await proxyAnswers(canary, '/during');
    for (const dp of stable) expect(await proxyStatus(dp, '/during')).toBe(404);
    const view = await waitFor(async () => {
      const r = (await admin('GET', `/rollouts/${id}`)).json;
      // the canary reports the hash it applied a moment after serving it
      const canaryOnLatest = r.data_planes.some((d: any) => d.labels.tier === 'canary' && d.release === r.latest.number);
      return r.data_planes.length === 3 && r.latest.number > r.baseline.number && canaryOnLatest && r.data_planes.every((d: any) => d.release !== null) ? r : undefined;
    }, 'every data plane listed with its release, the canary on the latest');
    const byTier = (tier: string) => view.data_planes.filter((d: any) => d.labels.tier === tier);
    expect(byTier('canary')).toEqual([expect.objectContaining({ stage: 0, reached: true, release: view.latest.number })]);
    expect(byTier('stable')).toHaveLength(2);
    for (const d of byTier('stable')) expect(d).toMatchObject({ stage: 1, reached: false, release: view.baseline.number });
    for (const dp of stable) expect(await proxyStatus(dp, '/during')).toBe(404);
    // the fleet listing shows each data plane's stage in the open rollout
    const fleet = (await admin('GET', '/clustering/data-planes')).json.data;
    expect(fleet).toHaveLength(3);
    for (const d of fleet) {
      expect(d.rollout).toEqual(d.labels.tier === 'canary' ? { id, stage: 0, reached: true } : { id, stage: 1, reached: false });
    }

    const promoted = await admin('POST', `/rollouts/${id}/promote`);
    expect(promoted.status).toBe(200);
    expect(promoted.json).toMatchObject({ state: 'open', current_stage: 1 });
    expect(promoted.json.stages[1].started_at).toEqual(expect.any(Number));
    await Promise.all(stable.map((dp) => proxyAnswers(dp, '/during')));

    const completed = await admin('POST', `/rollouts/${id}/promote`);
    expect(completed.json).toMatchObject({ state: 'completed', current_stage: 1, ended_at: expect.any(Number) });
    // without a rollout every data plane follows the latest release at once
    await addRoute(cp.port('admin_listen'), 'after', upstream.port);
    await Promise.all([canary, ...stable].map((dp) => proxyAnswers(dp, '/after')));
    expect((await admin('POST', `/rollouts/${id}/promote`)).status).toBe(409);
    expect((await admin('GET', '/rollouts')).json.data.map((r: any) => [r.id, r.state])).toEqual([[id, 'completed']]);
    for (const d of (await admin('GET', '/clustering/data-planes')).json.data) expect(d.rollout).toBeNull();
  });

  it('abort rolls back to the baseline: the change made during the rollout is gone from the canary and the Admin API', async () => {
    const opened = await admin('POST', '/rollouts', CANARY_FIRST);
    expect(opened.status).toBe(201);
    const id: string = opened.json.id;
    await addRoute(cp.port('admin_listen'), 'doomed', upstream.port);
    await proxyAnswers(canary, '/doomed');
    for (const dp of stable) expect(await proxyStatus(dp, '/doomed')).toBe(404);

    const aborted = await admin('POST', `/rollouts/${id}/abort`, { reason: 'canary looks wrong' });
    expect(aborted.status).toBe(200);
    expect(aborted.json).toMatchObject({ state: 'aborted', reason: 'canary looks wrong', ended_at: expect.any(Number) });
    await proxyGone(canary, '/doomed');
    expect((await admin('GET', '/services/doomed')).status).toBe(404);
    expect((await admin('GET', '/routes/doomed')).status).toBe(404);
    for (const dp of [canary, ...stable]) expect(await proxyStatus(dp, '/after')).toBe(200);
    const latest = (await admin('GET', '/config/releases?size=1')).json.data[0];
    expect(latest.source.rollback_of).toBe(opened.json.baseline.number);
    expect(latest.hash).toBe(opened.json.baseline.hash);
    expect((await admin('POST', `/rollouts/${id}/abort`)).status).toBe(409);
    expect((await admin('GET', `/rollouts/${id}`)).json).toMatchObject({ state: 'aborted', reason: 'canary looks wrong' });
  });

  it('a stage whose hold ends promotes itself', async () => {
    const opened = await admin('POST', '/rollouts', { stages: [{ labels: { tier: 'canary' }, hold_seconds: 2 }, { labels: { region: 'eu' } }, { labels: {} }] });
    expect(opened.status).toBe(201);
    const id: string = opened.json.id;
    await addRoute(cp.port('admin_listen'), 'held', upstream.port);
    await proxyAnswers(canary, '/held');
    for (const dp of stable) expect(await proxyStatus(dp, '/held')).toBe(404);
    // stage 1 (region:eu) has no hold: the hold of stage 0 moves it there, and there it stays
    const moved = await waitFor(async () => {
      const r = (await admin('GET', `/rollouts/${id}`)).json;
      return r.current_stage === 1 ? r : undefined;
    }, 'the hold to promote stage 0', 15_000);
    expect(moved.state).toBe('open');
    expect(moved.stages[1].started_at - moved.stages[0].started_at).toBeGreaterThanOrEqual(2);
    const [eu, other] = stable;
    await proxyAnswers(eu, '/held');
    expect(await proxyStatus(other, '/held')).toBe(404);
    expect((await admin('POST', `/rollouts/${id}/promote`)).json.current_stage).toBe(2);
    await proxyAnswers(other, '/held');
    expect((await admin('POST', `/rollouts/${id}/promote`)).json.state).toBe('completed');
  });

  it('aborts by itself when the reached data planes answer more 5xx than max_error_rate allows', async () => {
    const failing = createServer((_req, res) => { res.writeHead(500, { 'content-type': 'text/plain' }); res.end('upstream broke'); });
    await new Promise<void>((r) => failing.listen(0, '127.0.0.1', () => r()));
    try {
      const opened = await admin('POST', '/rollouts', CANARY_FIRST);
      expect(opened.status).toBe(201);
      const id: string = opened.json.id;
      await addRoute(cp.port('admin_listen'), 'broken', (failing.address() as AddressInfo).port);
      await waitFor(async () => (await proxyStatus(canary, '/broken')) === 500 || undefined, '/broken on the canary');
      // 99 errors would not be enough requests to judge; up to 150 are sent. On a slow machine the rollout may
      // judge (and roll /broken back) before all are sent, but never before MIN_REQUESTS of them were answered.
      let errors = 0;
      for (let i = 0; i < 150; i++) {
        const status = await proxyStatus(canary, '/broken');
        if (status === 404 && errors >= MIN_REQUESTS) break;
        expect(status).toBe(500);
        errors++;
      }
      const aborted = await waitFor(async () => {
        const r = (await admin('GET', `/rollouts/${id}`)).json;
        return r.state === 'aborted' ? r : undefined;
      }, 'the rollout to abort itself', 20_000);
      expect(aborted.reason).toMatch(/^error rate (0\.9\d{3}|1\.0000) \(\d+ of \d+ requests answered 5xx .*\) exceeds max_error_rate 0\.02$/);
      await proxyGone(canary, '/broken');
      expect((await admin('GET', '/services/broken')).status).toBe(404);
      for (const dp of stable) expect(await proxyStatus(dp, '/broken')).toBe(404);
      const listed = (await admin('GET', '/clustering/data-planes')).json.data.find((d: any) => d.labels.tier === 'canary');
      expect(Object.values(listed.release_stats).some((c: any) => c[0] >= MIN_REQUESTS && c[1] >= MIN_REQUESTS)).toBe(true);
    } finally {
      failing.close();
    }
  });

  it('a control plane restarted mid-rollout resumes it: the canary keeps getting changes, the others the baseline', async () => {
    const opened = await admin('POST', '/rollouts', CANARY_FIRST);
    expect(opened.status).toBe(201);
    const id: string = opened.json.id;
    await addRoute(cp.port('admin_listen'), 'pre-restart', upstream.port);
    await proxyAnswers(canary, '/pre-restart');

    const prefix = cp.prefix;
    const clusterPort = cp.port('cluster_listen');
    await stopNode(cp);
    cp = await startControlPlane(files, { prefix, clusterPort, extra: dbConf });

    expect((await admin('GET', `/rollouts/${id}`)).json).toMatchObject({ state: 'open', current_stage: 0, baseline: opened.json.baseline });
    expect((await admin('POST', '/rollouts', CANARY_FIRST)).status).toBe(409);
    await addRoute(cp.port('admin_listen'), 'post-restart', upstream.port);
    await proxyAnswers(canary, '/post-restart');
    for (const dp of stable) {
      expect(await proxyStatus(dp, '/pre-restart')).toBe(404);
      expect(await proxyStatus(dp, '/post-restart')).toBe(404);
      expect(await proxyStatus(dp, '/base')).toBe(200);
    }
    expect((await admin('POST', `/rollouts/${id}/promote`)).json.current_stage).toBe(1);
    await Promise.all(stable.map((dp) => proxyAnswers(dp, '/post-restart')));
    expect((await admin('POST', `/rollouts/${id}/promote`)).json.state).toBe('completed');
  });

  it('the disk cache of each data plane records the release it serves', async () => {
    const cacheOf = async (dp: RunningNode) => {
      const read = await readCacheFile(join(dp.prefix, 'dp-cache', 'config.json.gz'));
      return read.ok ? read.snapshot : null;
    };
    const cachedAt = (dp: RunningNode, release: { number: number; hash: string }) =>
      waitFor(async () => {
        const cached = await cacheOf(dp);
        return cached?.hash === release.hash && cached.release === release.number ? cached : undefined;
      }, `release ${release.number} (${release.hash}) in the cache of ${dp.prefix}`, 15_000).catch(async (err) => {
        const cached = await cacheOf(dp);
        throw new Error(`${(err as Error).message}; it holds ${cached?.hash} as release ${cached?.release}`);
      });

    await addRoute(cp.port('admin_listen'), 'cached', upstream.port);
    await Promise.all([canary, ...stable].map((dp) => proxyAnswers(dp, '/cached')));
    const everyone = await releaseHolding('cached');
    await Promise.all([canary, ...stable].map((dp) => cachedAt(dp, everyone)));

    const opened = await admin('POST', '/rollouts', CANARY_FIRST);
    expect(opened.json.baseline).toEqual({ number: everyone.number, hash: everyone.hash });
    await addRoute(cp.port('admin_listen'), 'cached-canary', upstream.port);
    await proxyAnswers(canary, '/cached-canary');
    const latest = await releaseHolding('cached-canary');
    expect((await admin('GET', `/rollouts/${opened.json.id}`)).json.latest).toEqual({ number: latest.number, hash: latest.hash });
    expect(latest.number).toBeGreaterThan(everyone.number);
    await cachedAt(canary, latest);
    for (const dp of stable) expect(await cacheOf(dp)).toMatchObject({ hash: everyone.hash, release: everyone.number });
    expect((await admin('POST', `/rollouts/${opened.json.id}/abort`)).json.state).toBe('aborted');
  });
});
