// Two control planes on one PostgreSQL schema: the data-plane registry lives in the database (any control plane
// lists the whole fleet, labels and served release included), and both agree on config release numbers.
import { randomBytes } from 'node:crypto';
import { http } from '../support/http';
import { stopNode, type RunningNode } from '../support/cli-node';
import { dropSchema, pgConf } from '../support/pg';
import { addRoute, clusterCertificate, proxyAnswers, startControlPlane, startDataPlane, startUpstream, waitFor, type ClusterFiles } from './hybrid-support';

jest.setTimeout(120_000);

describe('the fleet in the database: two control planes on PostgreSQL', () => {
  const schema = `fleet_${randomBytes(4).toString('hex')}`;
  let files: ClusterFiles;
  let a: RunningNode;
  let b: RunningNode;
  const dps: RunningNode[] = [];
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const get = (cp: RunningNode, path: string) => http('GET', `http://127.0.0.1:${cp.port('admin_listen')}${path}`);

  beforeAll(async () => {
    files = clusterCertificate();
    upstream = await startUpstream();
    a = await startControlPlane(files, { extra: pgConf(schema) });
    b = await startControlPlane(files, { extra: pgConf(schema) });
    dps.push(await startDataPlane(files, a.port('cluster_listen'), { extra: { cluster_dp_labels: 'tier:canary,region:eu' } }));
    dps.push(await startDataPlane(files, b.port('cluster_listen'), { extra: { cluster_dp_labels: 'tier:stable' } }));
  });
  afterAll(async () => {
    await Promise.all([...dps, a, b].filter(Boolean).map((n) => stopNode(n)));
    upstream?.server.close();
    await dropSchema(schema);
  });

  it('concurrent writes on both control planes get unique, consecutive release numbers', async () => {
    await Promise.all([
      ...[0, 1, 2, 3].map((i) => addRoute(a.port('admin_listen'), `a${i}`, upstream.port)),
      ...[0, 1, 2, 3].map((i) => addRoute(b.port('admin_listen'), `b${i}`, upstream.port)),
    ]);
    await Promise.all(dps.map((dp) => proxyAnswers(dp, '/a3').then(() => proxyAnswers(dp, '/b3'))));
    const all = await waitFor(async () => {
      const page = (await get(a, '/config/releases?size=1000')).json.data as Array<{ number: number; hash: string }>;
      const latest = page[0] && (await get(a, `/config/releases/${page[0].number}/config`)).json;
      return latest?.routes?.length === 8 ? page : undefined;
    }, 'a release holding all eight routes');
    const numbers = all.map((r) => r.number).sort((x, y) => x - y);
    expect(numbers).toEqual(numbers.map((_, i) => numbers[0] + i));
    expect((await get(b, '/config/releases?size=1000')).json.data.map((r: { number: number }) => r.number)).toEqual(all.map((r) => r.number));
    // no two consecutive releases with one hash: a change is recorded once, by one control plane
    for (let i = 1; i < all.length; i++) expect(all[i].hash).not.toBe(all[i - 1].hash);
  });

  it('GET /clustering/data-planes on either control plane lists every data plane, its labels and its release', async () => {
    for (const cp of [a, b]) {
      const page = await waitFor(async () => {
        const res = await get(cp, '/clustering/data-planes');
        const latest = (await get(cp, '/config/releases?size=1')).json.data[0];
        return res.json.data.length === 2 && res.json.data.every((d: { release: number | null }) => d.release === latest.number) ? res : undefined;
      }, 'both data planes on the latest release');
      const labels = page.json.data.map((d: { labels: Record<string, string> }) => d.labels).sort((x: { tier: string }, y: { tier: string }) => x.tier.localeCompare(y.tier));
      expect(labels).toEqual([{ tier: 'canary', region: 'eu' }, { tier: 'stable' }]);
      for (const d of page.json.data) expect(d).toMatchObject({ sync_status: 'normal', ttl: expect.any(Number) });
      expect(Object.keys((await get(cp, '/clustering/status')).json)).toHaveLength(2);
    }
  });
});
