// X.509 issuance. Node can make keys but not certificates, so node-forge builds and signs the certificate while
// the (slow in pure JS) RSA key generation stays in node:crypto.
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type Forge from 'node-forge';

/** node-forge is loaded on first issuance: default certificates are issued once into the prefix and read after
 * that, so a restarted node does not carry it (issue 11: node RSS). */
let forgeModule: typeof Forge | undefined;
// eslint-disable-next-line @typescript-eslint/no-require-imports
const loadForge = (): typeof Forge => (forgeModule ??= require('node-forge') as typeof Forge);

export interface CertificateRequest {
  readonly commonName: string;
  /** DNS names and IP literals for subjectAltName. */
  readonly altNames?: readonly string[];
  readonly days?: number;
  /** Sign with this CA; self-signed when absent. */
  readonly issuer?: PemPair;
  readonly isCa?: boolean;
  readonly keyBits?: number;
  readonly usage?: 'server' | 'client' | 'both';
}

export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

export function issueCertificate(req: CertificateRequest): PemPair {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: req.keyBits ?? 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
  const forge = loadForge();
  const cert = forge.pki.createCertificate();
  cert.publicKey = forge.pki.publicKeyFromPem(publicKey);
  // Positive serial: a leading 0x00..0x7f byte keeps DER from reading it as negative.
  cert.serialNumber = '01' + randomBytes(15).toString('hex');
  const notBefore = new Date(Date.now() - 60_000);
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = new Date(notBefore.getTime() + (req.days ?? 3650) * 86_400_000);
  const subject = [{ name: 'commonName', value: req.commonName }];
  cert.setSubject(subject);

  let signingKey = forge.pki.privateKeyFromPem(privateKey);
  if (req.issuer) {
    const issuerCert = forge.pki.certificateFromPem(req.issuer.cert);
    cert.setIssuer(issuerCert.subject.attributes);
    signingKey = forge.pki.privateKeyFromPem(req.issuer.key);
  } else {
    cert.setIssuer(subject);
  }

  const usage = req.usage ?? 'both';
  const extensions: object[] = [{ name: 'basicConstraints', cA: !!req.isCa, critical: !!req.isCa }];
  if (req.isCa) {
    extensions.push({ name: 'keyUsage', keyCertSign: true, cRLSign: true, digitalSignature: true, critical: true });
  } else {
    extensions.push({ name: 'keyUsage', digitalSignature: true, keyEncipherment: true });
    extensions.push({ name: 'extKeyUsage', serverAuth: usage !== 'client', clientAuth: usage !== 'server' });
  }
  const alt = req.altNames ?? [];
  if (alt.length > 0) {
    extensions.push({
      name: 'subjectAltName',
      altNames: alt.map((n) => (isIP(n) ? { type: 7, ip: n } : { type: 2, value: n })),
    });
  }
  extensions.push({ name: 'subjectKeyIdentifier' });
  cert.setExtensions(extensions);
  cert.sign(signingKey, forge.md.sha256.create());
  return { cert: forge.pki.certificateToPem(cert), key: privateKey };
}
