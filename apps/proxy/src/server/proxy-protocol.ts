// PROXY protocol v1 (text) and v2 (binary) headers, read before HTTP or TLS on `proxy_protocol` listeners.
// Only the source address is kept: it becomes the client address of the connection.

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_PREFIX = Buffer.from('PROXY ');
const V1_MAX = 107;

export type ProxyHeaderResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid' }
  /** `source` null: LOCAL command or UNKNOWN family, keep the TCP peer. */
  | { readonly kind: 'ok'; readonly source: string | null; readonly length: number };

const INCOMPLETE = { kind: 'incomplete' } as const;
const INVALID = { kind: 'invalid' } as const;

export function parseProxyHeader(buf: Buffer): ProxyHeaderResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] === 0x0d) return parseV2(buf);
  if (buf[0] === 0x50 /* P */) return parseV1(buf);
  return INVALID;
}

function startsWithPart(buf: Buffer, prefix: Buffer): boolean {
  const n = Math.min(buf.length, prefix.length);
  return buf.subarray(0, n).equals(prefix.subarray(0, n));
}

function parseV1(buf: Buffer): ProxyHeaderResult {
  if (!startsWithPart(buf, V1_PREFIX)) return INVALID;
  const end = buf.indexOf('\r\n');
  if (end === -1) return buf.length >= V1_MAX ? INVALID : INCOMPLETE;
  const parts = buf.toString('latin1', 0, end).split(' ');
  const length = end + 2;
  if (parts[1] === 'UNKNOWN') return { kind: 'ok', source: null, length };
  if (parts.length !== 6 || (parts[1] !== 'TCP4' && parts[1] !== 'TCP6')) return INVALID;
  return { kind: 'ok', source: parts[2], length };
}

function parseV2(buf: Buffer): ProxyHeaderResult {
  if (!startsWithPart(buf, V2_SIGNATURE)) return INVALID;
  if (buf.length < 16) return INCOMPLETE;
  const version = buf[12] >> 4;
  const command = buf[12] & 0x0f;
  if (version !== 2 || command > 1) return INVALID;
  const length = 16 + buf.readUInt16BE(14);
  if (buf.length < length) return INCOMPLETE;
  if (command === 0) return { kind: 'ok', source: null, length }; // LOCAL: health checks of the balancer itself
  const family = buf[13] >> 4;
  if (family === 1 && length >= 16 + 12) {
    return { kind: 'ok', source: `${buf[16]}.${buf[17]}.${buf[18]}.${buf[19]}`, length };
  }
  if (family === 2 && length >= 16 + 36) {
    const groups: string[] = [];
    for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(16 + i * 2).toString(16));
    return { kind: 'ok', source: compressIpv6(groups), length };
  }
  return { kind: 'ok', source: null, length };
}

function compressIpv6(groups: string[]): string {
  // Longest run of zero groups becomes `::` (RFC 5952), as Node prints remote addresses.
  let bestStart = -1;
  let bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== '0') {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === '0') j++;
    if (j - i > bestLen && j - i > 1) {
      bestStart = i;
      bestLen = j - i;
    }
    i = j;
  }
  if (bestStart === -1) return groups.join(':');
  return `${groups.slice(0, bestStart).join(':')}::${groups.slice(bestStart + bestLen).join(':')}`;
}
