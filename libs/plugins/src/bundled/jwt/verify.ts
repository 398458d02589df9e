// Signature verification with jose. The verification key of a jwt_secrets row is imported once per row and
// encoding (rows are immutable within a snapshot, so a new snapshot simply brings new rows and new keys).
import { createPublicKey, createSecretKey } from 'node:crypto';
import type { KeyLike } from 'jose';
import { jose } from '../../lazy-deps';
import type { Row } from '@tollgate/declarative/snapshot';
import { KNOWN_ALGORITHMS } from './token';

/** A usable key, null when the stored secret/public key cannot be one (Kong's "Invalid key/secret"). */
export type VerificationKey = KeyLike | null;
type KeyState = VerificationKey | Promise<VerificationKey>;

interface RowKeys { plain?: KeyState; base64?: KeyState }
const keysByRow = new WeakMap<Row, RowKeys>();

// jose rejects any alg outside this list, which pins verification to the credential's algorithm.
const VERIFY_OPTIONS = new Map([...KNOWN_ALGORITHMS].map((alg) => [alg, Object.freeze({ algorithms: [alg] })]));

const BASE64 = /^[A-Za-z0-9+/_-]*={0,2}$/;
const valid = (): boolean => true;
const invalid = (): boolean => false;

/** The key for `secret` (a promise only the first time an asymmetric key is imported). */
export function keyFor(secret: Row, base64: boolean): KeyState {
  let keys = keysByRow.get(secret);
  if (!keys) keysByRow.set(secret, (keys = {}));
  const slot = base64 ? 'base64' : 'plain';
  let state = keys[slot];
  if (state === undefined) {
    state = importKey(secret, base64);
    keys[slot] = state;
    if (state instanceof Promise) {
      // later requests skip the await once the import settled
      state.then((key) => { keys[slot] = key; });
    }
  }
  return state;
}

/** true when the JWS signature of `token` is valid for `alg` and `key`. Never throws: every jose error is a bad signature. */
export function verifySignature(token: string, alg: string, key: KeyLike): Promise<boolean> {
  const options = VERIFY_OPTIONS.get(alg);
  if (!options) return Promise.resolve(false);
  return jose().compactVerify(token, key, options as { algorithms: string[] }).then(valid, invalid);
}

function importKey(secret: Row, base64: boolean): KeyState {
  const alg = (secret.algorithm as string | null) ?? 'HS256';
  const hmac = alg.startsWith('HS');
  const stored = hmac ? secret.secret : secret.rsa_public_key;
  if (typeof stored !== 'string') return null;
  const bytes = base64 ? decodeBase64(stored) : Buffer.from(stored);
  if (!bytes) return null;
  if (hmac) return createSecretKey(bytes);
  const pem = bytes.toString();
  const imported = pem.includes('-----BEGIN CERTIFICATE-----') ? jose().importX509(pem, alg)
    : pem.includes('-----BEGIN PUBLIC KEY-----') ? jose().importSPKI(pem, alg)
    : undefined;
  if (imported) return imported.catch(() => null);
  try {
    return createPublicKey(pem); // PKCS#1 "RSA PUBLIC KEY", which jose does not import
  } catch {
    return null;
  }
}

/** Kong's base64 decoding of secrets: padding optional, url-safe letters accepted, anything else is no secret at all. */
function decodeBase64(value: string): Buffer | null {
  if (!BASE64.test(value)) return null;
  const unpadded = value.replace(/=+$/, '');
  if (unpadded.length % 4 === 1) return null;
  return Buffer.from(unpadded, 'base64');
}

