import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { defaultCertificatePaths, issueCertificate, type PemPair } from '@tollgate/pki';
import { startTestControlPlane, type RunningControlPlane } from './control-plane';
import { h2Request, httpsRequest } from './tls-client';

describe('ssl admin listener with the generated default certificate', () => {
  let cp: RunningControlPlane;
  let ca: string;
  beforeAll(async () => {
    cp = await startTestControlPlane({ admin_listen: '127.0.0.1:0 ssl' });
    ca = readFileSync(defaultCertificatePaths(cp.prefix, 'admin').certPath, 'utf8');
  });
  afterAll(() => cp.stop());

  test('GET /status over HTTPS, certificate verified against the default one written under the prefix', async () => {
    const res = await httpsRequest(cp.url, 'GET', '/status', { ca });
    expect(res.status).toBe(200);
    expect(res.protocol).toBe('HTTP/1.1');
    expect((res.body as { database: unknown }).database).toEqual({ reachable: true });
  });

  test('POST /services over HTTPS', async () => {
    const res = await httpsRequest(cp.url, 'POST', '/services', { ca }, { name: 'over-tls', host: 'tls.test' });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ name: 'over-tls', host: 'tls.test', port: 80, protocol: 'http' });
  });
});

describe('http2 ssl admin listener', () => {
  let cp: RunningControlPlane;
  let ca: string;
  beforeAll(async () => {
    cp = await startTestControlPlane({ admin_listen: '127.0.0.1:0 http2 ssl' });
    ca = readFileSync(defaultCertificatePaths(cp.prefix, 'admin').certPath, 'utf8');
  });
  afterAll(() => cp.stop());

  test('negotiates h2 via ALPN: POST /services then GET /services/{services}', async () => {
    const created = await h2Request(cp.url, 'POST', '/services', { ca }, { name: 'over-h2', url: 'https://h2.test:8443/v1' });
    expect(created.alpn).toBe('h2');
    expect(created.status).toBe(201);
    expect(created.headers['access-control-allow-credentials']).toBe('true');
    const fetched = await h2Request(cp.url, 'GET', '/services/over-h2', { ca });
    expect(fetched.status).toBe(200);
    expect(fetched.body).toEqual(created.body);
    expect(fetched.body).toMatchObject({ protocol: 'https', host: 'h2.test', port: 8443, path: '/v1' });
  });

  test('h2 errors keep Kong bodies', async () => {
    const missing = await h2Request(cp.url, 'GET', '/services/absent', { ca });
    expect(missing.status).toBe(404);
    expect(missing.body).toEqual({ message: 'Not found' });
  });

  test('falls back to HTTP/1.1 for clients without h2', async () => {
    const res = await httpsRequest(cp.url, 'GET', '/services/over-h2', { ca });
    expect(res.protocol).toBe('HTTP/1.1');
    expect(res.status).toBe(200);
    expect((res.body as { name: string }).name).toBe('over-h2');
  });
});

describe('admin_ssl_client_ca (mutual TLS)', () => {
  let cp: RunningControlPlane;
  let serverCa: PemPair;
  let client: PemPair;
  let stranger: PemPair;
  beforeAll(async () => {
    const clientCa = issueCertificate({ commonName: 'admin clients', isCa: true, keyBits: 2048 });
    client = issueCertificate({ commonName: 'operator', issuer: clientCa, usage: 'client' });
    stranger = issueCertificate({ commonName: 'stranger', usage: 'client' });
    serverCa = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'], usage: 'server' });
    const dir = require('node:fs').mkdtempSync(join(require('node:os').tmpdir(), 'mtls-'));
    writeFileSync(join(dir, 'ca.pem'), clientCa.cert);
    cp = await startTestControlPlane({
      admin_listen: '127.0.0.1:0 http2 ssl',
      admin_ssl_client_ca: join(dir, 'ca.pem'),
      admin_ssl_cert: serverCa.cert,
      admin_ssl_cert_key: serverCa.key,
    });
  });
  afterAll(() => cp.stop());

  test('a client without a certificate is rejected in the handshake', async () => {
    await expect(httpsRequest(cp.url, 'GET', '/status', { ca: serverCa.cert })).rejects.toThrow(/certificate|alert|ECONNRESET|socket hang up/);
  });

  test('a client certificate from another CA is rejected', async () => {
    await expect(httpsRequest(cp.url, 'GET', '/status', { ca: serverCa.cert, cert: stranger.cert, key: stranger.key })).rejects.toThrow(/certificate|alert|ECONNRESET|socket hang up/);
  });

  test('a client certificate signed by admin_ssl_client_ca is accepted (HTTP/1.1 and h2)', async () => {
    const tls = { ca: serverCa.cert, cert: client.cert, key: client.key };
    expect((await httpsRequest(cp.url, 'GET', '/status', tls)).status).toBe(200);
    const h2 = await h2Request(cp.url, 'GET', '/status', tls);
    expect(h2.alpn).toBe('h2');
    expect(h2.status).toBe(200);
  });
});
