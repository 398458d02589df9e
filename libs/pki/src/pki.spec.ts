import { X509Certificate, createPrivateKey } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { ensureDefaultCertificate, issueCertificate, loadPem, generateClusterCertificate } from './index';

describe('libs/pki', () => {
  it('issues a self-signed server certificate whose key matches and SAN covers loopback', () => {
    const pair = issueCertificate({ commonName: 'localhost', altNames: ['localhost', '127.0.0.1'] });
    const x = new X509Certificate(pair.cert);
    expect(x.subject).toBe('CN=localhost');
    expect(x.checkPrivateKey(createPrivateKey(pair.key))).toBe(true);
    expect(x.subjectAltName).toBe('DNS:localhost, IP Address:127.0.0.1');
    expect(x.checkHost('localhost')).toBe('localhost');
  });

  it('signs a leaf with a CA so that the CA verifies it', () => {
    const ca = issueCertificate({ commonName: 'Test CA', isCa: true });
    const leaf = issueCertificate({ commonName: 'dp-1', issuer: ca, usage: 'client' });
    const caX = new X509Certificate(ca.cert);
    const leafX = new X509Certificate(leaf.cert);
    expect(leafX.checkIssued(caX)).toBe(true);
    expect(leafX.verify(caX.publicKey)).toBe(true);
    expect(caX.ca).toBe(true);
    expect(leafX.ca).toBe(false);
  });

  it('generates the default certificate once and reuses it', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tg-pki-'));
    const first = ensureDefaultCertificate(prefix, 'proxy');
    const second = ensureDefaultCertificate(prefix, 'proxy');
    expect(second.cert).toBe(first.cert);
    expect(readFileSync(join(prefix, 'ssl', 'proxy-default.crt'), 'utf8')).toBe(first.cert);
    // usable by node:tls as is
    expect(() => tls.createSecureContext({ cert: first.cert, key: first.key })).not.toThrow();
  });

  it('loads PEM given inline, as base64, or as a path', () => {
    const prefix = mkdtempSync(join(tmpdir(), 'tg-pki-'));
    const pair = ensureDefaultCertificate(prefix, 'admin');
    expect(loadPem(pair.cert)).toContain('BEGIN CERTIFICATE');
    expect(loadPem(Buffer.from(pair.cert).toString('base64'))).toBe(pair.cert);
    expect(loadPem(pair.certPath)).toBe(pair.cert);
  });

  it('makes the shared cluster certificate with the kong_clustering CN', () => {
    const pair = generateClusterCertificate(30);
    expect(new X509Certificate(pair.cert).subject).toBe('CN=kong_clustering');
  });
});
