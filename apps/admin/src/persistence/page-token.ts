// Kong's offset token: base64 (no padding) of the JSON array of the last row's primary key, e.g. ["<uuid>"].
import { invalidOffset } from '@tollgate/errors';

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** base64 (no padding) of a JSON array of strings: the key of the last row of a page. */
export function encodeOffsetToken(parts: readonly string[]): string {
  return Buffer.from(JSON.stringify(parts)).toString('base64').replace(/=+$/, '');
}

/** The string parts of a token; throws Kong's code 7 when it is not base64 JSON of `count` strings. */
export function decodeOffsetToken(token: string, count: number): string[] {
  if (!BASE64.test(token) || token.replace(/=+$/, '').length % 4 === 1) throw invalidOffset(token, 'bad base64 encoding');
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(token, 'base64').toString('utf8'));
  } catch {
    throw invalidOffset(token, 'bad json encoding');
  }
  if (!Array.isArray(parsed) || parsed.length < count || !parsed.slice(0, count).every((p) => typeof p === 'string')) {
    throw invalidOffset(token, 'bad json encoding');
  }
  return parsed as string[];
}

export function encodePageToken(lastId: string): string {
  return encodeOffsetToken([lastId]);
}

/** The id to continue after; throws Kong's code 7 on a token that is not ours. */
export function decodePageToken(token: string): string {
  const [id] = decodeOffsetToken(token, 1);
  if (!UUID.test(id)) throw invalidOffset(token, 'bad json encoding');
  return id.toLowerCase();
}
