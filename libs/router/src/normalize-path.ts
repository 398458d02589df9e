// Kong's routing-path normalization (§1.2): decode percent-triplets except reserved characters, merge `//`,
// remove dot segments. Requests nginx would refuse before Kong sees them (NUL byte, `..` above the root,
// not origin-form) yield null so the proxy can answer 400 instead of routing them.

const HEX = '0123456789ABCDEF';

/** Characters that stay percent-encoded (with the hex upper-cased): ``!#$%&'()*+,/:;=?@[]`` */
const RESERVED = new Uint8Array(128);
for (const ch of "!#$%&'()*+,/:;=?@[]") RESERVED[ch.charCodeAt(0)] = 1;

const utf8 = new TextDecoder('utf-8', { fatal: true });

function hexValue(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 65 && code <= 70) return code - 55;
  if (code >= 97 && code <= 102) return code - 87;
  return -1;
}

function encodedTriplet(byte: number): string {
  return '%' + HEX[byte >> 4] + HEX[byte & 15];
}

/** Decodes triplets of unreserved characters; a run of non-ASCII bytes is decoded only if it is valid UTF-8. */
function percentDecode(path: string): string | null {
  let out = '';
  let i = 0;
  const len = path.length;
  while (i < len) {
    const ch = path.charCodeAt(i);
    if (ch !== 37 /* % */ || i + 2 >= len) {
      out += path[i];
      i++;
      continue;
    }
    const hi = hexValue(path.charCodeAt(i + 1));
    const lo = hexValue(path.charCodeAt(i + 2));
    if (hi < 0 || lo < 0) {
      out += '%';
      i++;
      continue;
    }
    const byte = (hi << 4) | lo;
    if (byte === 0) return null;
    if (byte < 0x80) {
      out += RESERVED[byte] === 1 ? encodedTriplet(byte) : String.fromCharCode(byte);
      i += 3;
      continue;
    }
    // Collect the whole run of encoded high bytes so multi-byte UTF-8 sequences decode together.
    const bytes: number[] = [];
    let j = i;
    while (j + 2 < len && path.charCodeAt(j) === 37) {
      const h = hexValue(path.charCodeAt(j + 1));
      const l = hexValue(path.charCodeAt(j + 2));
      if (h < 0 || l < 0) break;
      const b = (h << 4) | l;
      if (b < 0x80) break;
      bytes.push(b);
      j += 3;
    }
    try {
      out += utf8.decode(Uint8Array.from(bytes));
    } catch {
      for (const b of bytes) out += encodedTriplet(b);
    }
    i = j;
  }
  return out;
}

/** Merges duplicate slashes and removes `.`/`..` segments; null when `..` climbs above the root. */
function removeDotSegments(path: string): string | null {
  const segments = path.split('/');
  const out: string[] = [];
  const last = segments.length - 1;
  for (let i = 1; i <= last; i++) {
    const seg = segments[i];
    if (seg === '' && i !== last) continue; // merge_slashes
    if (seg === '.') {
      if (i === last) out.push('');
      continue;
    }
    if (seg === '..') {
      if (out.length === 0) return null;
      out.pop();
      if (i === last) out.push('');
      continue;
    }
    out.push(seg);
  }
  return '/' + out.join('/');
}

/**
 * Normalizes a raw request path (query already cut) the way Kong does before routing.
 * hot path: returns the input unchanged (no allocation) when it has no `%`, `.` or `//`.
 */
export function normalizePath(raw: string): string | null {
  if (raw.length === 0 || raw.charCodeAt(0) !== 47 /* / */) return null;
  let needsWork = false;
  for (let i = 1; i < raw.length; i++) {
    const ch = raw.charCodeAt(i);
    if (ch === 37 || ch === 46 || (ch === 47 && raw.charCodeAt(i - 1) === 47)) {
      needsWork = true;
      break;
    }
  }
  if (!needsWork) return raw;
  const decoded = raw.indexOf('%') >= 0 ? percentDecode(raw) : raw;
  if (decoded === null) return null;
  return removeDotSegments(decoded);
}

/** Kong's sanitize_uri_postfix: a postfix of `.` or `..` is empty; a leading `./` or `../` is dropped. */
export function sanitizeUriPostfix(postfix: string): string {
  if (postfix === '.' || postfix === '..') return '';
  if (postfix.startsWith('./')) return postfix.slice(2);
  if (postfix.startsWith('../')) return postfix.slice(3);
  return postfix;
}
