// Config releases through a real `tollgate` node: history, config, diff and rollback on the Admin API and the CLI.
// Run against SQLite and PostgreSQL (releases.sqlite / releases.postgres).
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { http, type Reply } from '../support/http';
import { loopbackConf, runCliAsync, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';
import { dropSchema, pgConf } from '../support/pg';

const API_KEY = 'releases-test-key';
const KEY_ID = `sha256:${createHash('sha256').update(API_KEY).digest('hex').slice(0, 12)}`;



export function releasesSuite(kind: 'sqlite' | 'postgres'): void {
  const schema = `releases_${randomBytes(4).toString('hex')}`;
  let node: RunningNode;
  let conf: string;
  let prefix: string;
  let upstream: import('node:http').Server;
  let upstreamPort: number;
  const admin = (method: string, path: string, body?: unknown): Promise<Reply> =>
    http(method, `http://127.0.0.1:${node.port('admin_listen')}${path}`, { body, headers: { 'kong-admin-token': API_KEY } });
  const proxy = (path: string) => http('GET', `http://127.0.0.1:${node.port('proxy_listen')}${path}`);
  const cli = (...args: string[]) => runCliAsync(['config', ...args, '-c', conf, '-p', prefix]);
  /** The newest release once its configuration satisfies `ready` (writes are recorded just after they commit). */
  const latestWhere = (ready: (config: string) => boolean) =>
    waitFor(async () => {
      const latest = (await admin('GET', '/config/releases?size=1')).json.data[0];
      return latest && ready((await admin('GET', `/config/releases/${latest.number}/config`)).text) ? latest : undefined;
    }, 'the latest release to hold the change');

  beforeAll(async () => {
    const { createServer } = await import('node:http');
    upstream = createServer((req, res) => res.end(`upstream saw ${req.url}`));
    await new Promise<void>((r) => upstream.listen(0, '127.0.0.1', () => r()));
    upstreamPort = (upstream.address() as import('node:net').AddressInfo).port;
    prefix = tempPrefix();
    conf = writeConf(prefix, loopbackConf(prefix, { admin_api_key: API_KEY, config_release_history: '5', ...(kind === 'postgres' ? pgConf(schema) : {}) }));
    node = await startNode(['-c', conf, '-p', prefix]);
  });
  afterAll(async () => {
    if (node) await stopNode(node);
    upstream?.close();
    if (kind === 'postgres') await dropSchema(schema);
  });

  it('GET /config/releases records the first configuration at start', async () => {
    const res = await admin('GET', '/config/releases');
    expect(res.status).toBe(200);
    expect(res.json.next).toBeNull();
    expect(res.json.data).toEqual([expect.objectContaining({ number: 1, parent: null, source: { type: 'startup' }, summary: {} })]);
  });

  let withRoute: number;
  let routeId: string;
  it('an Admin API write produces a release naming its client, key and what changed', async () => {
    expect((await admin('PUT', '/services/svc', { url: `http://127.0.0.1:${upstreamPort}` })).status).toBe(200);
    const route = await admin('POST', '/services/svc/routes', { name: 'r1', paths: ['/one'] });
    expect(route.status).toBe(201);
    routeId = route.json.id;
    const latest = await latestWhere((c) => c.includes('"/one"'));
    withRoute = latest.number;
    expect(latest.source).toEqual(expect.objectContaining({ type: 'admin', client_ip: '127.0.0.1', api_key: KEY_ID }));
    expect(latest.hash).toMatch(/^[0-9a-f]{64}$/);
    expect(latest.parent).toBe(latest.number - 1);
    // the two writes may be one release or two: together they created one service and one route
    const all = (await admin('GET', '/config/releases')).json.data.filter((r: { number: number }) => r.number > 1);
    const created = (entity: string) => all.reduce((n: number, r: { summary: Record<string, { created: number }> }) => n + (r.summary[entity]?.created ?? 0), 0);
    expect([created('services'), created('routes')]).toEqual([1, 1]);
    expect(await admin('GET', `/config/releases/${withRoute}`)).toMatchObject({ status: 200, json: latest });
    await waitFor(async () => ((await proxy('/one')).status === 200 ? true : undefined), 'the route to serve');
  });

  it('GET /config/releases/{n}/config is byte-identical to db_export at that moment, JSON and YAML', async () => {
    for (const format of ['json', 'yaml']) {
      const exported = await runCliAsync(['config', 'db_export', '--format', format, '-c', conf, '-p', prefix]);
      expect(exported.code).toBe(0);
      const res = await admin('GET', `/config/releases/${withRoute}/config${format === 'yaml' ? '?format=yaml' : ''}`);
      expect(res.status).toBe(200);
      expect(res.text).toBe(exported.stdout);
    }
    expect((await admin('GET', `/config/releases/${withRoute}/config`)).headers['content-type']).toMatch(/^application\/json/);
  });

  let patched: number;
  it('GET /config/releases/{n}/diff shows field changes, against the parent or any release; secrets redacted', async () => {
    expect((await admin('PATCH', `/routes/${routeId}`, { paths: ['/two'] })).status).toBe(200);
    patched = (await latestWhere((c) => c.includes('"/two"'))).number;
    const diff = await admin('GET', `/config/releases/${patched}/diff`);
    expect(diff.status).toBe(200);
    expect(diff.json).toEqual({
      from: patched - 1,
      to: patched,
      changes: [{ op: 'update', entity: 'routes', id: routeId, name: 'r1', fields: { paths: { from: ['/one'], to: ['/two'] } } }],
    });
    const wide = await admin('GET', `/config/releases/${patched}/diff?against=1`);
    expect(wide.json.changes.map((c: { op: string; entity: string }) => `${c.op} ${c.entity}`)).toEqual(['create services', 'create routes']);

    expect((await admin('POST', '/consumers', { username: 'ann' })).status).toBe(201);
    expect((await admin('POST', '/consumers/ann/key-auth', { key: 'top-secret-key' })).status).toBe(201);
    const withKey = await latestWhere((c) => c.includes('keyauth_credentials'));
    const keyDiff = await admin('GET', `/config/releases/${withKey.number}/diff?against=${patched}`);
    expect(keyDiff.text).not.toContain('top-secret-key');
    const credential = keyDiff.json.changes.find((c: { entity: string }) => c.entity === 'keyauth_credentials');
    expect(credential.fields.key).toEqual({ from: null, to: '******' });
  });

  it('POST /config/releases/{n}/rollback commits a new release equal to n; the proxy and the Admin API follow', async () => {
    const res = await admin('POST', `/config/releases/${withRoute}/rollback`);
    expect(res.status).toBe(201);
    expect(res.json).toEqual(expect.objectContaining({ source: expect.objectContaining({ type: 'admin', rollback_of: withRoute }) }));
    expect(res.json.number).toBeGreaterThan(patched);
    const original = await admin('GET', `/config/releases/${withRoute}`);
    expect(res.json.hash).toBe(original.json.hash);
    const restored = await admin('GET', `/config/releases/${res.json.number}/config`);
    expect(restored.text).toBe((await admin('GET', `/config/releases/${withRoute}/config`)).text);
    expect((await admin('GET', `/routes/${routeId}`)).json.paths).toEqual(['/one']);
    expect((await admin('GET', '/consumers/ann')).status).toBe(404);
    await waitFor(async () => ((await proxy('/one')).status === 200 && (await proxy('/two')).status === 404 ? true : undefined), 'the proxy to serve the rolled-back route');
  });

  it('the CLI lists, diffs and rolls back through the Admin API with admin_api_key', async () => {
    const history = await cli('history');
    expect(history.code).toBe(0);
    expect(history.stdout).toMatch(new RegExp(`^${patched} .*admin from 127\\.0\\.0\\.1 key ${KEY_ID}.*routes ~1`, 'm'));
    const diff = await cli('diff', String(patched));
    expect(diff.code).toBe(0);
    expect(diff.stdout).toBe(`release ${patched - 1} -> ${patched}: 1 change(s)\nupdate routes r1 (${routeId})\n         paths: ["/one"] -> ["/two"]\n`);
    const rollback = await cli('rollback', String(patched));
    expect(rollback.code).toBe(0);
    expect(rollback.stdout).toMatch(new RegExp(`^rolled back to release ${patched}: new release \\d+ `));
    await waitFor(async () => ((await proxy('/two')).status === 200 ? true : undefined), 'the proxy to serve /two again');
    const missing = await cli('diff', '99999');
    expect(missing).toMatchObject({ code: 1, stderr: 'Error: Not found\n' });
  });

  it('db_import records a release with source cli', async () => {
    const file = join(prefix, 'import.yaml');
    writeFileSync(file, '_format_version: "3.0"\nconsumers:\n- username: imported\n');
    expect((await runCliAsync(['config', 'db_import', file, '-c', conf, '-p', prefix])).code).toBe(0);
    const latest = (await admin('GET', '/config/releases?size=1')).json.data[0];
    expect(latest.source).toEqual({ type: 'cli' });
    expect(latest.summary).toEqual({ consumers: { created: 1, updated: 0, deleted: 0 } });
  });

  it('an open rollout keeps its baseline past the history: it stays readable and abort rolls back to it', async () => {
    const opened = await admin('POST', '/rollouts', { stages: [{ labels: {} }] });
    expect(opened.status).toBe(201);
    const { id, baseline } = opened.json;
    const baselineConfig = (await admin('GET', `/config/releases/${baseline.number}/config`)).text;
    // config_release_history = 5: five more releases push the baseline out of the listed history, not out of storage
    for (let i = 0; i < 5; i++) {
      expect((await admin('POST', '/services', { name: `prune-${i}`, url: `http://127.0.0.1:${upstreamPort}` })).status).toBe(201);
      await latestWhere((config) => config.includes(`prune-${i}`));
    }
    const listed = (await admin('GET', '/config/releases?size=1000')).json.data.map((r: { number: number }) => r.number);
    expect(listed).toHaveLength(5);
    expect(listed).not.toContain(baseline.number);
    expect(await admin('GET', `/config/releases/${baseline.number}`)).toMatchObject({ status: 200, json: { number: baseline.number, hash: baseline.hash } });
    expect((await admin('GET', `/config/releases/${baseline.number}/config`)).text).toBe(baselineConfig);
    expect((await admin('GET', `/rollouts/${id}`)).json).toMatchObject({ state: 'open', baseline: { number: baseline.number, hash: baseline.hash } });
    const abort = await admin('POST', `/rollouts/${id}/abort`);
    expect(abort).toMatchObject({ status: 200, json: { state: 'aborted' } });
    expect((await admin('GET', '/services/prune-0')).status).toBe(404);
    const latest = (await admin('GET', '/config/releases?size=1')).json.data[0];
    expect(latest).toMatchObject({ hash: baseline.hash, source: { rollback_of: baseline.number } });
  });

  it('keeps config_release_history releases, pages newest first, and answers bad numbers precisely', async () => {
    const page = await admin('GET', '/config/releases?size=2');
    expect(page.json.data).toHaveLength(2);
    expect(page.json.data[0].number).toBeGreaterThan(page.json.data[1].number);
    expect(page.json.next).toBe('/config/releases?offset=2&size=2');
    const all = (await admin('GET', '/config/releases?size=1000')).json.data;
    expect(all).toHaveLength(5);
    expect((await admin('GET', '/config/releases/1')).status).toBe(404); // pruned
    expect(await admin('GET', '/config/releases/abc')).toMatchObject({ status: 400, json: { message: "number: expected a positive integer, got 'abc'" } });
    expect(await admin('GET', `/config/releases/${all[0].number}/diff?against=x`)).toMatchObject({ status: 400, json: { message: "against: expected a positive integer, got 'x'" } });
    expect(await admin('GET', `/config/releases/${all[0].number}/config?format=xml`)).toMatchObject({ status: 400, json: { message: "format: expected 'json' or 'yaml', got 'xml'" } });
    expect(await admin('POST', '/config/releases/99999/rollback')).toMatchObject({ status: 404, json: { message: 'Not found' } });
  });
}
