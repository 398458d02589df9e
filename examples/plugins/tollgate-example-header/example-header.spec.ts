// The example plugin's own tests: loaded from its folder like any custom plugin (`plugins = bundled,<folder>`),
// config validated by the schema language, then real traffic through the real data plane (apps/proxy) with
// `plugins = bundled,<this folder>`, as a node runs it.
import { loadPlugins, validatePluginConfig } from '@tollgate/plugins';
import { SnapshotBuilder, startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { startTestDataPlane, type TestDataPlane } from '../../../test/proxy/support/data-plane';
import { loggedRequests } from './handler';

async function get(url: string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { headers });
  return { status: res.status, headers: res.headers, json: (await res.json()) as { headers: Record<string, string> } };
}

describe('tollgate-example-header', () => {
  const registry = loadPlugins(['bundled', __dirname]);
  let upstream: EchoUpstream;
  let gateway: TestDataPlane;
  let url: string;
  let routeId: string;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const b = new SnapshotBuilder(registry);
    const service = b.service(upstream.port);
    const open = b.route(service, ['/open']);
    const keyed = b.route(service, ['/keyed']);
    routeId = open.id;
    const erin = b.consumer('erin');
    b.keyAuth(erin, 'erin-key');
    b.plugin('tollgate-example-header', { value: 'hello', echo_downstream: true }, { route: open });
    b.plugin('tollgate-example-header', { value: 'hi', header_name: 'X-Who' }, { route: keyed });
    b.plugin('key-auth', {}, { route: keyed });
    gateway = await startTestDataPlane({ hash: 'example-1', version: 1, config: b.build() }, { plugins: ['bundled', __dirname] });
    url = `http://127.0.0.1:${gateway.port}`;
  });
  afterAll(async () => {
    await gateway.dp.close({ graceful: false });
    await upstream.close();
  });

  it('is registered from its folder with its priority', () => {
    const loaded = registry.plugins.get('tollgate-example-header')!;
    expect(loaded.priority).toBe(850);
    expect(loaded.source).toBe(__dirname);
    expect(registry.names.indexOf('tollgate-example-header')).toBeGreaterThan(registry.names.indexOf('rate-limiting'));
  });

  it.each([
    [{}, { value: 'required field missing' }],
    [{ value: '' }, { value: 'length must be at least 1' }],
    [{ value: 'x', echo_downstream: 'no' }, { echo_downstream: 'expected a boolean' }],
  ])('config %j is rejected', (config, errors) => {
    expect(validatePluginConfig(registry.schemas, 'tollgate-example-header', config)).toEqual({ ok: false, fields: { config: errors } });
  });

  it('stamps the upstream request and echoes downstream', async () => {
    const res = await get(`${url}/open/x`);
    expect(res.status).toBe(200);
    expect(res.json.headers['x-tollgate-example']).toBe('hello');
    expect(res.headers.get('x-tollgate-example')).toBe('hello');
  });

  it('sees the consumer chosen by key-auth (higher priority runs first)', async () => {
    const res = await get(`${url}/keyed/x`, { apikey: 'erin-key' });
    expect(res.json.headers['x-who']).toBe('hi; consumer=erin');
    expect(res.headers.get('x-who')).toBeNull();
  });

  it('its log phase runs after each response', async () => {
    const before = loggedRequests.get(routeId) ?? 0;
    await get(`${url}/open/x`);
    const deadline = Date.now() + 2000;
    while ((loggedRequests.get(routeId) ?? 0) === before && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(loggedRequests.get(routeId)).toBe(before + 1);
  });
});
