import { execFileSync } from 'node:child_process';
import { createHash, X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as forge from 'node-forge';
import { ca_certificates, certificates, duplicatedSni, snis, validateEntity } from '../index';

interface Pair { cert: string; key: string }
let dir: string;
let rsa: Pair, rsa2: Pair, ec: Pair, leaf: Pair;
let expired: string;

function openssl(name: string, keyArgs: string[], extra: string[] = []): Pair {
  const key = join(dir, `${name}.key`);
  const cert = join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', ...keyArgs, '-nodes', '-keyout', key, '-out', cert, '-subj', `/CN=${name}`, '-days', '2', ...extra], { stdio: 'ignore' });
  return { cert: readFileSync(cert, 'utf8'), key: readFileSync(key, 'utf8') };
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'tollgate-pem-'));
  rsa = openssl('rsa', ['-newkey', 'rsa:2048']);
  rsa2 = openssl('rsa2', ['-newkey', 'rsa:2048']);
  ec = openssl('ec', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256']);
  leaf = openssl('leaf', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], ['-addext', 'basicConstraints=critical,CA:FALSE']);
  const keys = forge.pki.rsa.generateKeyPair(1024);
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '01';
  cert.validity.notBefore = new Date(Date.now() - 3 * 86400_000);
  cert.validity.notAfter = new Date(Date.now() - 86400_000);
  cert.setSubject([{ name: 'commonName', value: 'old' }]);
  cert.setIssuer([{ name: 'commonName', value: 'old' }]);
  cert.setExtensions([{ name: 'basicConstraints', cA: true }]);
  cert.sign(keys.privateKey, forge.md.sha256.create());
  expired = forge.pki.certificateToPem(cert);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const fieldsOf = (schema: typeof certificates, input: Record<string, unknown>) => {
  const result = validateEntity(schema, input, { mode: 'insert' });
  return result.ok ? null : result.fields;
};

describe('certificates', () => {
  test('a matching pair, with an alternative of the other type', () => {
    expect(fieldsOf(certificates, { ...rsa })).toBeNull();
    expect(fieldsOf(certificates, { ...rsa, cert_alt: ec.cert, key_alt: ec.key, snis: ['a.com'] })).toBeNull();
  });

  test('canonical: both missing', () => {
    expect(fieldsOf(certificates, {})).toEqual({ cert: 'required field missing', key: 'required field missing' });
  });

  test('PEM parse errors', () => {
    const fields = fieldsOf(certificates, { cert: 'nope', key: 'nope' }) as Record<string, string>;
    expect(fields.cert).toMatch(/^invalid certificate: /);
    expect(fields.key).toMatch(/^invalid key: /);
  });

  test.each<[string, () => Record<string, unknown>, unknown]>([
    ['mismatch', () => ({ cert: rsa.cert, key: rsa2.key }), { '@entity': ['certificate does not match key'] }],
    ['alt mismatch', () => ({ ...rsa, cert_alt: ec.cert, key_alt: leaf.key }), { '@entity': ['alternative certificate does not match key'] }],
    ['alt without key', () => ({ ...rsa, cert_alt: ec.cert }), { '@entity': ["all or none of these fields must be set: 'cert_alt', 'key_alt'"] }],
    ['same type', () => ({ ...rsa, cert_alt: rsa2.cert, key_alt: rsa2.key }),
      { '@entity': ['certificate and alternative certificate need to have different type (e.g. RSA and ECDSA), the provided certificates were both of the same type'] }],
    ['bad sni', () => ({ ...rsa, snis: ['ok.com', '1.2.3.4'] }), { snis: [null, 'must not be an IP'] }],
  ])('%s', (_t, input, fields) => {
    expect(fieldsOf(certificates, input())).toEqual(fields);
  });

  test('snis is input-only and kept in order for the DAO; duplicates reported by the DAO helper', () => {
    expect(validateEntity(certificates, { ...rsa, snis: ['b.com', 'a.com'] }, { mode: 'insert' })).toMatchObject({ ok: true, value: { snis: ['b.com', 'a.com'] } });
    expect(duplicatedSni(['a', 'b', 'a'])).toBe('a');
    expect(duplicatedSni(['a', 'b'])).toBeUndefined();
  });
});

describe('ca_certificates', () => {
  test('digest computed on write from the DER', () => {
    const result = validateEntity(ca_certificates, { cert: ec.cert, cert_digest: 'ignored' }, { mode: 'insert' });
    const digest = createHash('sha256').update(new X509Certificate(ec.cert).raw).digest('hex');
    expect(result).toMatchObject({ ok: true, value: { cert_digest: digest } });
  });

  test.each<[string, () => string, string]>([
    ['two certificates', () => ec.cert + rsa.cert, 'please submit only one certificate at a time'],
    ['not a CA', () => leaf.cert, 'certificate does not appear to be a CA because it is missing the "CA" basic constraint'],
    ['expired', () => expired, 'certificate expired, "Not After" time is in the past'],
  ])('%s', (_t, cert, message) => {
    expect(fieldsOf(ca_certificates, { cert: cert() })).toEqual({ cert: message });
  });
});

describe('snis', () => {
  const certificate = { id: '0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01' };
  test.each<[Record<string, unknown>, unknown]>([
    [{ name: '*.a.com', certificate }, null],
    [{ name: 'a.*', certificate }, null],
    // Kong's spec 01-schema/11-snis_spec.lua
    [{ name: '*', certificate }, null],
    [{ name: 'test.wildcard.*', certificate }, null],
    [{ name: 'a.*.com', certificate }, { name: 'wildcard must be leftmost or rightmost character' }],
    [{ name: 'foo.*.wildcard.com', certificate }, { name: 'wildcard must be leftmost or rightmost character' }],
    [{ name: '*.a.*', certificate }, { name: 'only one wildcard must be specified' }],
    [{ name: '*.*.wildcard.*', certificate }, { name: 'only one wildcard must be specified' }],
    [{ name: 'a.com:443', certificate }, { name: 'must not have a port' }],
    [{ name: '*.wildcard.com:8000', certificate }, { name: 'must not have a port' }],
    [{ name: 'wildcard.*:80', certificate }, { name: 'wildcard must be leftmost or rightmost character' }],
    [{ name: 'test.wildcard.com:*', certificate }, { name: 'invalid value: test.wildcard.com:wildcard' }],
    [{ name: '::1', certificate }, { name: 'must not be an IP' }],
    [{ name: '10.0.0.1:8001', certificate }, { name: 'must not be an IP' }],
    [{ name: 'example^com', certificate }, { name: 'invalid value: example^com' }],
    [{ name: 'a.com' }, { certificate: 'required field missing' }],
  ])('%j', (input, fields) => {
    expect(fieldsOf(snis, input)).toEqual(fields);
  });
});
