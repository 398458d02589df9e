// Sealing session data with the plugin's secret: AES-256-GCM under a key derived from the secret (HKDF-SHA256),
// the audience bound as additional data. Output is base64url(iv | ciphertext | tag); anything that does not open
// (other secret, other audience, tampered) is no session at all.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export function deriveKey(secret: string): Buffer {
  return Buffer.from(hkdfSync('sha256', secret, 'tollgate-session', 'aes-256-gcm', 32));
}

export function seal(key: Buffer, audience: string, plain: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(Buffer.from(audience));
  const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
  return Buffer.concat([iv, body, cipher.getAuthTag()]).toString('base64url');
}

export function open(key: Buffer, audience: string, sealed: string): string | undefined {
  const raw = Buffer.from(sealed, 'base64url');
  if (raw.length < 12 + 16) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(audience));
    decipher.setAuthTag(raw.subarray(raw.length - 16));
    return Buffer.concat([decipher.update(raw.subarray(12, raw.length - 16)), decipher.final()]).toString('utf8');
  } catch {
    return undefined;
  }
}
