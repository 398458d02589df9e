// The cluster client against a peer that answers a pull a byte at a time (real mTLS socket).
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadSettings } from '@tollgate/config';
import { generateClusterCertificate } from '@tollgate/pki';
import { ClusterClient } from './cluster-client';

describe('ClusterClient', () => {
  const dir = mkdtempSync(join(tmpdir(), 'tollgate-cluster-client-'));
  const pair = generateClusterCertificate(30);
  writeFileSync(join(dir, 'cluster.crt'), pair.cert);
  writeFileSync(join(dir, 'cluster.key'), pair.key);
  let server: Server;
  const drips = new Set<NodeJS.Timeout>();

  beforeAll(async () => {
    server = createServer({ cert: pair.cert, key: pair.key, ca: pair.cert, requestCert: true, rejectUnauthorized: true }, (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const drip = setInterval(() => res.write(' '), 50);
      drips.add(drip);
      res.on('close', () => clearInterval(drip));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  afterAll(async () => {
    for (const drip of drips) clearInterval(drip);
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('gives up on a pull still trickling in after its timeout (a deadline, not an idle timeout)', async () => {
    const settings = loadSettings({
      env: {}, cwd: dir,
      overrides: {
        prefix: dir, role: 'data_plane', proxy_listen: '127.0.0.1:0', cluster_control_plane: `127.0.0.1:${(server.address() as AddressInfo).port}`,
        cluster_cert: join(dir, 'cluster.crt'), cluster_cert_key: join(dir, 'cluster.key'),
      },
    });
    const client = new ClusterClient(settings);
    const started = Date.now();
    try {
      await expect(client.get('/v1/config', 400)).rejects.toThrow('no complete answer from the control plane within 400 ms');
      expect(Date.now() - started).toBeLessThan(2000);
    } finally {
      client.close();
    }
  });
});
