// DB-less mode in-process (startDblessControlPlane): the catalog entry of `/config`, `GET /` through settings,
// plugin cross-field checks on `POST /config`, and §8.2's 413 / 503 / 504 (kong-admin-api.md §2.3, §3.1, §8.2).
import { request as httpRequest } from 'node:http';
import { rmSync } from 'node:fs';
import { startDblessControlPlane, type DblessControlPlaneHandle, type DblessControlPlaneOptions } from '../../apps/admin/src/dbless';
import { startTestControlPlane, testSettings, TEST_PLUGINS, type RunningControlPlane } from '../admin/shell/control-plane';
import { http } from '../support/http';
import { waitFor } from '../hybrid/hybrid-support';

jest.setTimeout(60_000);

interface DblessNode {
  readonly handle: DblessControlPlaneHandle;
  readonly url: string;
  stop(): Promise<void>;
}

async function startDbless(opts: DblessControlPlaneOptions = {}): Promise<DblessNode> {
  const { settings, prefix } = testSettings({ database: 'off' });
  const handle = await startDblessControlPlane(settings, { plugins: TEST_PLUGINS, shutdownTimeoutMs: 5000, ...opts });
  return {
    handle,
    url: `http://127.0.0.1:${handle.listeners[0].port}`,
    async stop() {
      await handle.close();
      rmSync(prefix, { recursive: true, force: true });
    },
  };
}

const services = (count: number) => ({
  _format_version: '3.0',
  services: Array.from({ length: count }, (_, i) => ({ name: `svc-${i}`, host: `h${i}.test`, routes: [{ name: `r-${i}`, paths: [`/r${i}`] }] })),
});

const NO_WINDOW = "at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'";

describe('DB-less Admin API', () => {
  let node: DblessNode;
  let dbMode: RunningControlPlane;

  beforeAll(async () => {
    node = await startDbless();
    dbMode = await startTestControlPlane();
  });

  afterAll(async () => {
    await node?.stop();
    await dbMode?.stop();
  });

  it('GET / reports database "off" from the settings; the in-memory store stays private', async () => {
    const root = await http('GET', `${node.url}/`);
    expect(root.status).toBe(200);
    expect(root.json.configuration.database).toBe('off');
    expect(root.json.configuration.sqlite_file).not.toBe(':memory:');
  });

  it('GET /status has configuration_hash (zeros before any config) and no database', async () => {
    const status = await http('GET', `${node.url}/status`);
    expect(status.json.configuration_hash).toBe('0'.repeat(32));
    expect(status.json).not.toHaveProperty('database');
    expect((await http('GET', `${node.url}/status?unit=V`)).json).toEqual({ message: "invalid unit 'V' (expected 'k/K', 'm/M', or 'g/G')" });
  });

  it('GET /endpoints lists /config, and OPTIONS /config allows GET and POST', async () => {
    expect((await http('GET', `${node.url}/endpoints`)).json.data).toContain('/config');
    const options = await http('OPTIONS', `${node.url}/config`);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
    expect(options.headers['access-control-allow-methods']).toBe('GET, HEAD, OPTIONS, POST');
  });

  it('POST /config refuses a rate-limiting plugin with no window, with the message POST /plugins gives', async () => {
    const plugin = { name: 'rate-limiting', config: { policy: 'local' } };
    const direct = await http('POST', `${dbMode.url}/plugins`, { body: plugin });
    expect(direct.status).toBe(400);
    expect(direct.json).toEqual({ code: 2, name: 'schema violation', message: `schema violation (${NO_WINDOW})`, fields: { '@entity': [NO_WINDOW] } });

    const doc = { _format_version: '3.0', plugins: [plugin] };
    const reply = await http('POST', `${node.url}/config`, { body: doc });
    expect(reply.status).toBe(400);
    expect(reply.json.code).toBe(14);
    expect(reply.json.fields).toEqual({ plugins: [{ '@entity': [NO_WINDOW] }] });
    const flattened = await http('POST', `${node.url}/config?flatten_errors=1`, { body: doc });
    expect(flattened.json.flattened_errors).toEqual([
      expect.objectContaining({ entity_type: 'plugin', errors: [{ type: 'entity', message: NO_WINDOW }] }),
    ]);
    // with a window it loads
    const fine = await http('POST', `${node.url}/config`, { body: { _format_version: '3.0', plugins: [{ ...plugin, config: { minute: 5, policy: 'local' } }] } });
    expect(fine.status).toBe(201);
    expect(Object.values(fine.json.plugins)).toEqual([expect.objectContaining({ name: 'rate-limiting' })]);
  });
});

describe('POST /config limits (§8.2)', () => {
  it('413 when the configuration is larger than the node holds; a smaller one loads', async () => {
    const node = await startDbless({ maxConfigBytes: 4000 });
    try {
      expect((await http('POST', `${node.url}/config`, { body: services(1) })).status).toBe(201);
      const big = await http('POST', `${node.url}/config`, { body: services(40) });
      expect(big.status).toBe(413);
      expect(big.json).toEqual({ message: 'Configuration does not fit in LMDB database, consider raising the "lmdb_map_size" config for Kong' });
      expect((await http('GET', `${node.url}/services`)).json.data.map((s: { name: string }) => s.name)).toEqual(['svc-0']);
    } finally {
      await node.stop();
    }
  });

  it('504 when loading outlives the timeout; the configuration still completes', async () => {
    const node = await startDbless({ loadTimeoutMs: 1 });
    try {
      const reply = await http('POST', `${node.url}/config`, { body: services(300) });
      expect(reply.status).toBe(504);
      expect(reply.json).toEqual({ message: 'Timed out while loading configuration' });
      await waitFor(async () => (await http('GET', `${node.url}/services?size=1000`)).json.data.length === 300, 'the load to complete');
      expect((await http('GET', `${node.url}/status`)).json.configuration_hash).not.toBe('0'.repeat(32));
    } finally {
      await node.stop();
    }
  });

  it('503 for a POST /config still in flight when the node starts exiting', async () => {
    const node = await startDbless();
    const body = JSON.stringify(services(1));
    let closed: Promise<void> | undefined;
    const reply = new Promise<{ status: number; text: string }>((resolve, reject) => {
      const req = httpRequest(`${node.url}/config`, {
        method: 'POST',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)), expect: '100-continue' },
      }, (res) => {
        let text = '';
        res.on('data', (c) => (text += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      });
      req.on('error', reject);
      // 100 Continue: the server is handling this request, so closing lets it finish
      req.on('continue', () => {
        closed = node.stop();
        req.end(body);
      });
    });
    const { status, text } = await reply;
    await closed;
    expect(status).toBe(503);
    expect(JSON.parse(text)).toEqual({ message: 'Kong currently exiting' });
  });
});
