// Kong's oauth2 `hash_secret`: a PBKDF2 (SHA-512) PHC string, `$pbkdf2-sha512$i=10000,l=32$<salt>$<hash>`.
import { pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';

const ITERATIONS = 10000;
const LENGTH = 32;
const b64 = (b: Buffer) => b.toString('base64').replace(/=+$/, '');

export function hashOauth2Secret(secret: string): string {
  const salt = randomBytes(16);
  return `$pbkdf2-sha512$i=${ITERATIONS},l=${LENGTH}$${b64(salt)}$${b64(pbkdf2Sync(secret, salt, ITERATIONS, LENGTH, 'sha512'))}`;
}

/** Checks a client secret against the stored value: a PHC hash, or the clear text when hash_secret is off. */
export function verifyOauth2Secret(secret: string, stored: string): boolean {
  const m = /^\$pbkdf2-(sha\d+)\$i=(\d+),l=(\d+)\$([^$]+)\$([^$]+)$/.exec(stored);
  const expected = m ? Buffer.from(m[5], 'base64') : Buffer.from(stored);
  const given = m ? pbkdf2Sync(secret, Buffer.from(m[4], 'base64'), Number(m[2]), Number(m[3]), m[1]) : Buffer.from(secret);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
