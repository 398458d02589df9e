// The HTTP-signature draft as Kong's hmac-auth reads it: the Authorization (or Proxy-Authorization) parameters,
// the signing string over the listed headers, and the Digest of the body.
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';

export interface HmacParams {
  readonly username: string;
  readonly algorithm: string;
  readonly headers: readonly string[];
  readonly signature: string;
}

// Kong's pattern: greedy captures, in this order, comma separated
const HMAC = /\s*[Hh]mac\s*username="(.+)",\s*algorithm="(.+)",\s*headers="(.+)",\s*signature="(.+)"/;

export function parseHmacHeader(value: string | undefined): HmacParams | undefined {
  if (!value) return undefined;
  const m = HMAC.exec(value);
  if (!m) return undefined;
  return { username: m[1], algorithm: m[2], headers: m[3].split(' '), signature: m[4] };
}

export interface SigningRequest {
  readonly method: string;
  /** Path with its query string, as received. */
  readonly pathWithQuery: string;
  readonly httpVersion: string;
  header(name: string): string | undefined;
}

export function signingString(req: SigningRequest, headers: readonly string[]): string {
  return headers.map((name) => {
    const value = req.header(name);
    if (value !== undefined) return `${name}: ${value}`;
    if (name === '@request-target') return `${name}: ${req.method.toLowerCase()} ${req.pathWithQuery}`;
    if (name === 'request-line') return `${req.method} ${req.pathWithQuery} HTTP/${req.httpVersion}`;
    return `${name}:`;
  }).join('\n');
}

const DIGESTS: Record<string, string> = { 'hmac-sha1': 'sha1', 'hmac-sha256': 'sha256', 'hmac-sha384': 'sha384', 'hmac-sha512': 'sha512' };

export function signatureMatches(algorithm: string, secret: string, data: string, signatureB64: string): boolean {
  const digest = DIGESTS[algorithm];
  if (!digest) return false;
  const expected = createHmac(digest, secret).update(data).digest();
  const given = Buffer.from(signatureB64, 'base64');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `Digest: SHA-256=<base64>` of the body; no Digest is fine only for an empty body. */
export function digestMatches(digest: string | undefined, body: Buffer): boolean {
  if (digest === undefined) return body.length === 0;
  return digest === `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
}
