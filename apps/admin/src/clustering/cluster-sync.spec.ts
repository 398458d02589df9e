// The cluster listener and the data plane's remote provider together, in one process over real mTLS sockets:
// full snapshot then deltas, the long poll, the disk cache, certificate checks and compatibility refusals.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings, type Settings } from '@tollgate/config';
import { readCacheFile, type Snapshot, type VersionedSnapshot } from '@tollgate/declarative';
import { generateClusterCertificate, issueCertificate } from '@tollgate/pki';
import { NODE_VERSION } from '@tollgate/protocol';
import { RemoteConfigProvider } from '../../../proxy/src/provider/remote';
import { SnapshotService } from '../cluster/snapshot.service';
import { startClusterServer, type ClusterServerHandle } from './cluster-server';

const silent = { info() {}, warn() {}, error() {} };

function recordingLogger() {
  const lines: string[] = [];
  const log = (obj: object, msg: string) => void lines.push(msg);
  return { lines, logger: { info: log, warn: log, error: log } };
}

async function until<T>(probe: () => T | undefined | null | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** An in-memory configuration store feeding the real SnapshotService. */
class MemoryStore {
  config: Snapshot = { _format_version: '3.0', services: [] };
  private listener: (() => void) | null = null;
  async exportAll(): Promise<Snapshot> { return this.config; }
  onChange(listener: () => void) { this.listener = listener; return () => { this.listener = null; }; }
  set(config: Snapshot) { this.config = config; this.listener?.(); }
}

const service = (n: number) => ({
  id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`, name: `svc${n}`, protocol: 'http', host: `h${n}.test`, port: 80, path: null,
  retries: 5, connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true, tls_verify: null, tls_verify_depth: null,
  ca_certificates: null, client_certificate: null, tags: null, created_at: 1, updated_at: 1,
});
const services = (n: number): Snapshot => ({ _format_version: '3.0', services: Array.from({ length: n }, (_, i) => service(i + 1)) as never });

describe('cluster listener + remote provider', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cluster-'));
  const pair = generateClusterCertificate(30);
  writeFileSync(join(dir, 'cluster.crt'), pair.cert);
  writeFileSync(join(dir, 'cluster.key'), pair.key);
  const store = new MemoryStore();
  const snapshots = new SnapshotService(store);
  let server: ClusterServerHandle;
  let cp: Settings;

  const dpSettings = (prefix: string, extra: Record<string, string> = {}) => loadSettings({
    env: {}, cwd: dir,
    overrides: {
      prefix, role: 'data_plane', proxy_listen: '127.0.0.1:0', cluster_control_plane: `127.0.0.1:${server.listeners[0].port}`,
      cluster_cert: join(dir, 'cluster.crt'), cluster_cert_key: join(dir, 'cluster.key'), ...extra,
    },
  });

  beforeAll(async () => {
    store.set(services(3));
    await snapshots.start();
    cp = loadSettings({
      env: {}, cwd: dir,
      overrides: { prefix: dir, role: 'control_plane', cluster_listen: '127.0.0.1:0', cluster_cert: join(dir, 'cluster.crt'), cluster_cert_key: join(dir, 'cluster.key') },
    });
    server = await startClusterServer(cp, { snapshots, logger: silent, bundledPlugins: new Set(['key-auth']) });
  });
  afterAll(async () => {
    await server.close();
    snapshots.close();
  });

  it('delivers the full snapshot, then deltas, and caches every applied version', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tollgate-dp-'));
    const applied: VersionedSnapshot[] = [];
    const dp = new RemoteConfigProvider(dpSettings(prefix, { cluster_dp_labels: 'region:eu,tier:gold' }), { logger: silent });
    await dp.start((s) => applied.push(s));
    try {
      await until(() => applied.length === 1, 'first snapshot');
      expect(applied[0].hash).toBe(snapshots.current().hash);
      expect(dp.stats.fullPayloads).toBe(1);

      store.set(services(4));
      await until(() => applied.length === 2, 'second snapshot');
      expect(applied[1].config.services).toHaveLength(4);
      expect(applied[1].hash).toBe(snapshots.current().hash);
      expect(dp.stats.deltaPayloads).toBe(1);

      const cached = await until(() => {
        const file = join(prefix, 'dp-cache', 'config.json.gz');
        try { readFileSync(file); return file; } catch { return undefined; }
      }, 'cache file');
      let read = await readCacheFile(cached);
      const deadline = Date.now() + 5000;
      while ((!read.ok || read.snapshot.hash !== applied[1].hash) && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 10));
        read = await readCacheFile(cached);
      }
      expect(read.ok && read.snapshot.hash).toBe(applied[1].hash);

      const row = server.registry.get(dp.nodeId)!;
      expect(row).toMatchObject({ id: dp.nodeId, ip: '127.0.0.1', sync_status: 'normal', labels: { region: 'eu', tier: 'gold' } });
      expect(row.config_hash).toMatch(/^[0-9a-f]{32}$/);
      expect(row.ttl).toBeGreaterThan(1_000_000);
      expect(row.cert_details.expiry_timestamp).toBeGreaterThan(Date.now() / 1000);
    } finally {
      await dp.stop();
    }
  });

  it('boots from the disk cache before the control plane answers, and ignores a corrupt cache', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tollgate-dp-'));
    const first: VersionedSnapshot[] = [];
    const a = new RemoteConfigProvider(dpSettings(prefix), { logger: silent });
    await a.start((s) => first.push(s));
    await until(() => first.length === 1, 'snapshot');
    await a.stop();

    // the control plane is unreachable: port 1 on loopback refuses
    const offline: VersionedSnapshot[] = [];
    const b = new RemoteConfigProvider(dpSettings(prefix, { cluster_control_plane: '127.0.0.1:1' }), { logger: silent });
    await b.start((s) => offline.push(s));
    expect(offline.map((s) => s.hash)).toEqual([first[0].hash]); // delivered synchronously within start()
    await b.stop();

    writeFileSync(join(prefix, 'dp-cache', 'config.json.gz'), 'not gzip');
    const { lines, logger } = recordingLogger();
    const none: VersionedSnapshot[] = [];
    const c = new RemoteConfigProvider(dpSettings(prefix, { cluster_control_plane: '127.0.0.1:1' }), { logger });
    await c.start((s) => none.push(s));
    await c.stop();
    expect(none).toEqual([]);
    expect(lines.some((l) => l.startsWith('corrupt cache file') && l.endsWith('ignoring the disk cache'))).toBe(true);
  });

  it('holds a pull until a change commits, and answers 304 when nothing changes', async () => {
    const held = snapshots.current().hash;
    const started = Date.now();
    const res = await rawPull({ config_hash: held, wait: '200' });
    expect(res.status).toBe(304);
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);

    const pending = rawPull({ config_hash: held, wait: '5000' });
    setTimeout(() => store.set(services(5)), 50);
    const answered = await pending;
    expect(answered.status).toBe(200);
    expect(answered.headers['x-tollgate-payload']).toBe('delta');
    expect(answered.headers['content-encoding']).toBe('br');
  });

  it.each([
    ['a different major', '9.0.0', 'data plane version 9.0.0 is incompatible with control plane version'],
    ['a newer minor', `0.99.0`, 'data plane version 0.99.0 is incompatible with older control plane version'],
  ])('refuses a data plane with %s (409, kong_version_incompatible)', async (_what, version, message) => {
    const res = await rawPull({ node_id: 'f0000000-0000-4000-8000-000000000001', node_version: version });
    expect(res.status).toBe(409);
    expect(JSON.parse(res.body)).toEqual({ message: expect.stringContaining(message), sync_status: 'kong_version_incompatible' });
    expect(server.registry.get('f0000000-0000-4000-8000-000000000001')!.sync_status).toBe('kong_version_incompatible');
  });

  it('refuses a client without the cluster certificate at the TLS handshake', async () => {
    const other = issueCertificate({ commonName: 'kong_clustering', altNames: ['kong_clustering'], days: 1 });
    const before = server.registry.list().length;
    await expect(rawPull({ node_id: 'e0000000-0000-4000-8000-000000000001' }, other)).rejects.toThrow();
    await expect(rawPull({ node_id: 'e0000000-0000-4000-8000-000000000002' }, null)).rejects.toThrow();
    expect(server.registry.list()).toHaveLength(before);
  });

  it('keeps a data plane that lacks a configured plugin on its old config, and says which plugin', async () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tollgate-dp-'));
    const applied: VersionedSnapshot[] = [];
    const { lines, logger } = recordingLogger();
    const dp = new RemoteConfigProvider(dpSettings(prefix), { logger, plugins: ['cors'] });
    await dp.start((s) => applied.push(s));
    try {
      await until(() => applied.length === 1, 'first snapshot');
      const plugin = { id: 'b0000000-0000-4000-8000-000000000001', name: 'key-auth', config: {}, enabled: true, protocols: ['http'], route: null, service: null, consumer: null };
      store.set({ ...services(2), plugins: [plugin] } as unknown as Snapshot);
      await until(() => lines.find((l) => l.includes('configured key-auth plugin')), 'refusal logged');
      expect(lines).toContain(`control plane refused the configuration: configured key-auth plugin ${NODE_VERSION} is missing from data plane; keeping the current configuration`);
      expect(applied).toHaveLength(1);
      expect(server.registry.get(dp.nodeId)!.sync_status).toBe('plugin_set_incompatible');
      // `bundled` covers the plugins shipped with the release
      const res = await rawPull({ plugins: 'bundled' });
      expect(res.status).toBe(200);
    } finally {
      await dp.stop();
    }
  });

  function rawPull(params: Record<string, string>, cert: { cert: string; key: string } | null = pair): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
    const query = new URLSearchParams({ node_id: 'a0000000-0000-4000-8000-000000000001', node_version: NODE_VERSION, config_hash: '', ...params });
    return new Promise((resolve, reject) => {
      const req = request({
        host: '127.0.0.1', port: server.listeners[0].port, path: `/v1/config?${query}`, servername: 'kong_clustering', ca: pair.cert,
        ...(cert ? { cert: cert.cert, key: cert.key } : {}), headers: { 'accept-encoding': 'br' }, agent: false,
      }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString() }));
        res.on('error', reject);
      });
      req.on('error', reject);
      req.end();
    });
  }
});
