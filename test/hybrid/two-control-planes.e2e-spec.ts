// Two control planes on one PostgreSQL schema: a write on one reaches a data plane pulling from the other
// within 1 s (LISTEN/NOTIFY, no polling).
import { randomBytes } from 'node:crypto';
import { stopNode, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { dropSchema, pgConf } from '../support/pg';
import { addRoute, clusterCertificate, proxyAnswers, startControlPlane, startDataPlane, startUpstream, type ClusterFiles } from './hybrid-support';

jest.setTimeout(90_000);

describe('two control planes on PostgreSQL', () => {
  const schema = `hybrid_${randomBytes(4).toString('hex')}`;
  const pg = pgConf(schema);
  let files: ClusterFiles;
  let a: RunningNode;
  let b: RunningNode;
  let dp: RunningNode;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  beforeAll(async () => {
    files = clusterCertificate();
    upstream = await startUpstream();
    a = await startControlPlane(files, { extra: pg });
    b = await startControlPlane(files, { extra: pg }); // after a: the schema and its migrations exist
    dp = await startDataPlane(files, b.port('cluster_listen'));
  });
  afterAll(async () => {
    await Promise.all([dp, a, b].filter(Boolean).map((n) => stopNode(n)));
    upstream?.server.close();
    await dropSchema(schema);
  });

  it('a route created on control plane A answers within 1 s on a data plane connected to control plane B', async () => {
    await addRoute(a.port('admin_listen'), 'via-a', upstream.port);
    const written = Date.now();
    await proxyAnswers(dp, '/via-a', 1000);
    const elapsed = Date.now() - written;
    expect(elapsed).toBeLessThan(1000);
    process.stdout.write(`[hybrid] write on CP A -> DP of CP B: ${elapsed} ms\n`);
  });

  it('and the other way round', async () => {
    await addRoute(b.port('admin_listen'), 'via-b', upstream.port);
    await proxyAnswers(dp, '/via-b', 1000);
  });

  it('PUT /debug/cluster/control-planes-nodes/log-level on A reaches B; the data plane keeps its level', async () => {
    const admin = (n: RunningNode) => `http://127.0.0.1:${n.port('admin_listen')}`;
    expect((await http('PUT', `${admin(a)}/debug/cluster/log-level/info`)).status).toBe(404);
    const changed = await http('PUT', `${admin(a)}/debug/cluster/control-planes-nodes/log-level/debug?timeout=60`);
    expect([changed.status, changed.json]).toEqual([200, { message: 'log level changed' }]);
    await waitFor(async () => ((await http('GET', `${admin(b)}/debug/node/log-level`)).json.message === 'log level: debug' ? true : undefined), 'the level on control plane B', 3000);
  });
});
