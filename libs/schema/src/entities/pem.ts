// PEM checks for certificates and ca_certificates with node:crypto.
import { createHash, createPrivateKey, createPublicKey, KeyObject, X509Certificate } from 'node:crypto';

const firstLine = (error: unknown) => String((error as Error)?.message ?? error).split('\n')[0];

export function parseCertificate(pem: string): { cert?: X509Certificate; error?: string } {
  try {
    return { cert: new X509Certificate(pem) };
  } catch (error) {
    return { error: `invalid certificate: ${firstLine(error)}` };
  }
}

export function parsePrivateKey(pem: string): { key?: KeyObject; error?: string } {
  try {
    return { key: createPrivateKey(pem) };
  } catch (error) {
    return { error: `invalid key: ${firstLine(error)}` };
  }
}

export const checkCertificatePem = (value: unknown) => (typeof value === 'string' ? parseCertificate(value).error : undefined);
export const checkKeyPem = (value: unknown) => (typeof value === 'string' ? parsePrivateKey(value).error : undefined);

/** A public key in PEM (jwt rsa_public_key); Kong answers just "invalid key". */
export function checkPublicKeyPem(value: unknown): string | undefined {
  if (typeof value !== 'string') return undefined;
  try {
    createPublicKey(value);
    return undefined;
  } catch {
    return 'invalid key';
  }
}

export function certificateMatchesKey(certPem: string, keyPem: string): boolean {
  const { cert } = parseCertificate(certPem);
  const { key } = parsePrivateKey(keyPem);
  return !!cert && !!key && cert.checkPrivateKey(key);
}

export function keyTypeOf(certPem: string): string | undefined {
  return parseCertificate(certPem).cert?.publicKey.asymmetricKeyType;
}

const PEM_CERT = /-----BEGIN CERTIFICATE-----/g;
export const countCertificates = (pem: string) => (pem.match(PEM_CERT) ?? []).length;

/** Hex sha256 of the DER certificate (ca_certificates.cert_digest). */
export function certificateDigest(pem: string): string | undefined {
  const { cert } = parseCertificate(pem);
  return cert ? createHash('sha256').update(cert.raw).digest('hex') : undefined;
}
