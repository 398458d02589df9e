// Kong's offset token: base64 (no padding) of the JSON array of the last row's primary key, e.g. ["<uuid>"].
import { invalidOffset } from '@tollgate/errors';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodePageToken(lastId: string): string {
  return Buffer.from(JSON.stringify([lastId])).toString('base64').replace(/=+$/, '');
}

/** The id to continue after; throws Kong's code 7 on a token that is not ours. */
export function decodePageToken(token: string): string {
  if (!BASE64.test(token) || token.replace(/=+$/, '').length % 4 === 1) throw invalidOffset(token, 'bad base64 encoding');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalidOffset(token, 'bad json encoding');
  }
  if (!Array.isArray(parsed) || typeof parsed[0] !== 'string' || !UUID.test(parsed[0])) {
    throw invalidOffset(token, 'bad json encoding');
  }
  return parsed[0].toLowerCase();
}
