// The remote provider against a scripted control plane (real mTLS socket): a delta that does not produce the
// announced hash is caught after hand-off and repaired by the full snapshot the provider then asks for.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@tollgate/config';
import { hashSnapshot, type Snapshot, type VersionedSnapshot } from '@tollgate/declarative';
import { generateClusterCertificate } from '@tollgate/pki';
import type { ConfigPayload } from '@tollgate/protocol';
import { RemoteConfigProvider } from './remote-provider';

const config = (names: string[]): Snapshot => ({ _format_version: '3.0', services: names.map((name, i) => ({ id: `00000000-0000-4000-8000-00000000000${i}`, name })) } as never);

describe('RemoteConfigProvider, delta verification', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-remote-'));
  const pair = generateClusterCertificate(30);
  writeFileSync(join(dir, 'cluster.crt'), pair.cert);
  writeFileSync(join(dir, 'cluster.key'), pair.key);
  const v1 = config(['a']);
  const v2 = config(['a', 'b']);
  const [h1, h2] = [hashSnapshot(v1), hashSnapshot(v2)];
  const asked: string[] = [];
  // full v1; then a delta announcing v2's hash but adding the wrong row; then (asked with no hash) full v2; then hold
  const script: ConfigPayload[] = [
    { type: 'full', hash: h1, version: 1, config: v1 },
    { type: 'delta', hash: h2, version: 2, base_hash: h1, delta: { upserts: { services: [{ id: '00000000-0000-4000-8000-000000000001', name: 'wrong' }] }, deletes: {} } },
    { type: 'full', hash: h2, version: 2, config: v2 },
  ];
  let server: Server;

  beforeAll(async () => {
    server = createServer({ cert: pair.cert, key: pair.key, ca: pair.cert, requestCert: true, rejectUnauthorized: true }, (req, res) => {
      asked.push(new URL(req.url ?? '/', 'https://cp').searchParams.get('config_hash') ?? '');
      const payload = script[asked.length - 1];
      if (!payload) return; // held until the test ends
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify(payload));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('hands a delta on at once, then relabels it when the hash does not match and applies the full snapshot', async () => {
    const errors: string[] = [];
    const log = () => {};
    const settings = loadSettings({
      env: {}, cwd: dir,
      overrides: {
        prefix: dir, role: 'data_plane', proxy_listen: '127.0.0.1:0', cluster_control_plane: `127.0.0.1:${(server.address() as AddressInfo).port}`,
        cluster_cert: join(dir, 'cluster.crt'), cluster_cert_key: join(dir, 'cluster.key'),
      },
    });
    const applied: VersionedSnapshot[] = [];
    const dp = new RemoteConfigProvider(settings, { logger: { info: log, warn: log, error: (_, msg) => void errors.push(msg) }, cacheFile: join(dir, 'cache.json.gz') });
    await dp.start((s) => applied.push(s));
    try {
      const deadline = Date.now() + 5000;
      // the fourth pull (holding v2) may come a moment after v2 was applied
      while ((applied.length < 4 || asked.length < 4) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      const wrong = hashSnapshot(applied[2]?.config ?? v1);
      expect(applied.map((s) => s.hash)).toEqual([h1, h2, wrong, h2]);
      expect(wrong).not.toBe(h2);
      expect(applied[3].config).toEqual(v2);
      expect(dp.current()?.hash).toBe(h2);
      expect(asked.slice(0, 4)).toEqual(['', h1, '', h2]);
      expect(errors).toEqual(['configuration from the control plane does not match its hash; requesting a full snapshot']);
    } finally {
      await dp.stop();
    }
  });
});
