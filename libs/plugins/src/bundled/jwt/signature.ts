// JWS signature checks with node:crypto. (jose 6 is ESM-only and cannot be required by this CommonJS build on
// Node 20, so the few algorithms Kong's jwt plugin supports are verified directly.)
import { createHmac, timingSafeEqual, verify, type KeyObject } from 'node:crypto';

const HASH: Record<string, string> = {
  HS256: 'sha256', HS384: 'sha384', HS512: 'sha512',
  RS256: 'sha256', RS384: 'sha384', RS512: 'sha512',
  ES256: 'sha256', ES384: 'sha384',
};

export const SUPPORTED_ALGORITHMS: ReadonlySet<string> = new Set(Object.keys(HASH));

/** true when `token`'s signature is valid for `alg` and `key` (an HMAC secret or a public key). */
export function verifySignature(token: string, alg: string, key: KeyObject): boolean {
  const dot = token.lastIndexOf('.');
  const signingInput = Buffer.from(token.slice(0, dot));
  const signature = Buffer.from(token.slice(dot + 1), 'base64url');
  const hash = HASH[alg];
  if (alg.startsWith('HS')) {
    const expected = createHmac(hash, key).update(signingInput).digest();
    return expected.length === signature.length && timingSafeEqual(expected, signature);
  }
  try {
    if (alg.startsWith('ES')) return verify(hash, signingInput, { key, dsaEncoding: 'ieee-p1363' }, signature);
    return verify(hash, signingInput, key, signature);
  } catch {
    return false;
  }
}
