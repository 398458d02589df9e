// Vault references on a real node: the Admin API keeps `{vault://...}` as written; the data plane serves the
// secrets they name (a certificate and key from environment variables, an http-log endpoint through a vaults
// entity with its own env prefix).
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { connect, type PeerCertificate } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { generateClusterCertificate } from '@tollgate/pki';
import { http } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';

function servedCertificate(port: number, servername: string): Promise<PeerCertificate> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, servername, rejectUnauthorized: false }, () => {
      const cert = socket.getPeerCertificate();
      socket.end();
      resolve(cert);
    });
    socket.on('error', reject);
  });
}

describe('vault references resolved on the data plane (real node)', () => {
  const pair = generateClusterCertificate(1);
  let node: RunningNode;
  let admin: string;
  let proxy: string;
  let tlsPort: number;
  let receiver: Server;
  const received: string[] = [];

  beforeAll(async () => {
    receiver = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        received.push(`${req.method} ${req.url} ${body.length > 0 ? 'with body' : 'empty'}`);
        res.end();
      });
    });
    await new Promise<void>((r) => receiver.listen(0, '127.0.0.1', r));
    const logPort = (receiver.address() as AddressInfo).port;
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl' })), '-p', prefix], {
      env: {
        TLS_CERT: pair.cert,
        TLS_BUNDLE: JSON.stringify({ key: pair.key }),
        LOGS_ENDPOINT: `http://127.0.0.1:${logPort}/logs`,
      },
    });
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen', 0)}`;
    tlsPort = node.port('proxy_listen', 1);
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    receiver?.closeAllConnections();
    await new Promise((r) => receiver?.close(r));
  });

  it('serves a certificate whose cert and key are references; the Admin API returns the references', async () => {
    const created = await http('POST', `${admin}/certificates`, {
      body: { cert: '{vault://env/tls-cert}', key: '{vault://env/tls-bundle/key}', snis: ['secret.test'] },
    });
    expect(created.status).toBe(201);
    expect(created.json).toMatchObject({ cert: '{vault://env/tls-cert}', key: '{vault://env/tls-bundle/key}' });
    expect((await http('GET', `${admin}/certificates/${created.json.id}`)).json.key).toBe('{vault://env/tls-bundle/key}');
    const expected = new X509Certificate(pair.cert).fingerprint256;
    const served = await waitFor(async () => {
      const cert = await servedCertificate(tlsPort, 'secret.test');
      return cert.fingerprint256 === expected ? cert : undefined;
    }, 'the referenced certificate on secret.test');
    expect(served.fingerprint256).toBe(expected);
  });

  it('an http-log endpoint given through a vaults entity with an env prefix receives the logs', async () => {
    expect((await http('POST', `${admin}/vaults`, { body: { prefix: 'log-vault', name: 'env', config: { prefix: 'LOGS_' } } })).status).toBe(201);
    expect((await http('POST', `${admin}/services`, { body: { name: 'logged', url: `${admin}/status` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/logged/routes`, { body: { paths: ['/logged'] } })).status).toBe(201);
    const plugin = await http('POST', `${admin}/services/logged/plugins`, { body: { name: 'http-log', config: { http_endpoint: '{vault://log-vault/endpoint}' } } });
    expect(plugin.status).toBe(201);
    expect(plugin.json.config.http_endpoint).toBe('{vault://log-vault/endpoint}');
    // the plugin may reach the proxy after the route: each probe sends one more request
    await waitFor(async () => {
      await http('GET', `${proxy}/logged`);
      return received.includes('POST /logs with body') ? true : undefined;
    }, 'a log entry at the referenced endpoint', 15_000, 300);
  });
});
