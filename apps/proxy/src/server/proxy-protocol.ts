// PROXY protocol v1 (text) and v2 (binary) headers (haproxy's proxy-protocol.txt), read before HTTP, TLS or a
// stream relay on `proxy_protocol` listeners. The one parser for the HTTP front door and the stream sessions.
// Everything is checked against the spec: a header that is not exactly well formed closes the connection,
// since what it carries becomes the client address used for routing, ACLs, rate limits and logs.
import { isIP } from 'node:net';

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_SIGNATURE = Buffer.from('PROXY ');
/** The v1 spec's bound: 107 bytes including CRLF. */
export const V1_MAX_LENGTH = 107;
/** v2 carries TLVs after the addresses; more than this is not a header we accept (the spec allows 64 KiB). */
export const V2_MAX_LENGTH = 16 + 1024;

export interface ProxiedEndpoint {
  readonly ip: string;
  readonly port: number;
}

export type ProxyHeaderResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** source/destination null: v1 UNKNOWN, v2 LOCAL or a non-IP family — keep the TCP peer's own addresses. */
  | { readonly kind: 'ok'; readonly length: number; readonly version: 1 | 2; readonly source: ProxiedEndpoint | null; readonly destination: ProxiedEndpoint | null };

const INCOMPLETE: ProxyHeaderResult = { kind: 'incomplete' };
const invalid = (reason: string): ProxyHeaderResult => ({ kind: 'invalid', reason });
const NO_HEADER = 'no PROXY protocol header';
const MALFORMED_V1 = 'malformed PROXY v1 header';

/** Parses the header at the start of `buf`; 'incomplete' asks for more bytes (never beyond the size bounds). */
export function parseProxyHeader(buf: Buffer): ProxyHeaderResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] === V2_SIGNATURE[0]) return parseV2(buf);
  if (buf[0] === V1_SIGNATURE[0]) return parseV1(buf);
  return invalid(NO_HEADER);
}

function startsWithPart(buf: Buffer, signature: Buffer): boolean {
  const n = Math.min(buf.length, signature.length);
  return buf.compare(signature, 0, n, 0, n) === 0;
}

// "PROXY" SP proto SP src SP dst SP sport SP dport CRLF, single spaces, ports in decimal without leading zeros
const PORT = /^(0|[1-9][0-9]{0,4})$/;

function parseV1(buf: Buffer): ProxyHeaderResult {
  if (!startsWithPart(buf, V1_SIGNATURE)) return invalid(NO_HEADER);
  const end = buf.subarray(0, V1_MAX_LENGTH).indexOf('\r\n');
  if (end === -1) return buf.length >= V1_MAX_LENGTH ? invalid('PROXY v1 header longer than 107 bytes') : INCOMPLETE;
  const length = end + 2;
  const text = buf.toString('latin1', 0, end);
  const parts = text.split(' ');
  // UNKNOWN: the rest of the line is to be ignored (the sender could not tell the addresses)
  if (parts[1] === 'UNKNOWN') return { kind: 'ok', length, version: 1, source: null, destination: null };
  if (parts.length !== 6) return invalid(MALFORMED_V1);
  const family = parts[1] === 'TCP4' ? 4 : parts[1] === 'TCP6' ? 6 : 0;
  if (family === 0) return invalid(MALFORMED_V1);
  const source = v1Endpoint(parts[2], parts[4], family);
  const destination = v1Endpoint(parts[3], parts[5], family);
  if (source === null || destination === null) return invalid(MALFORMED_V1);
  return { kind: 'ok', length, version: 1, source, destination };
}

function v1Endpoint(ip: string, portText: string, family: 4 | 6): ProxiedEndpoint | null {
  if (isIP(ip) !== family || !PORT.test(portText)) return null;
  const port = Number(portText);
  return port <= 65535 ? { ip, port } : null;
}

// v2 family byte: address family in the high nibble, transport in the low one; the address block's size
const AF_UNSPEC = 0;
const AF_INET = 1;
const AF_INET6 = 2;
const AF_UNIX = 3;
const ADDRESS_BYTES = [0, 12, 36, 216];

function parseV2(buf: Buffer): ProxyHeaderResult {
  if (!startsWithPart(buf, V2_SIGNATURE)) return invalid(NO_HEADER);
  if (buf.length < 16) return INCOMPLETE;
  if (buf[12] >> 4 !== 2) return invalid('unsupported PROXY protocol version');
  const command = buf[12] & 0x0f;
  if (command > 1) return invalid('unknown PROXY v2 command');
  const family = buf[13] >> 4;
  const transport = buf[13] & 0x0f;
  if (family > AF_UNIX || transport > 2) return invalid('unknown PROXY v2 address family or transport');
  const length = 16 + buf.readUInt16BE(14);
  if (length > V2_MAX_LENGTH) return invalid('PROXY v2 header too large');
  // the declared length must hold the family's addresses (TLVs may follow them)
  if (length - 16 < ADDRESS_BYTES[family]) return invalid('PROXY v2 address block shorter than its family needs');
  if (buf.length < length) return INCOMPLETE;
  // LOCAL: the balancer's own connection (a health check); addresses, if any, are ignored
  if (command === 0 || family === AF_UNSPEC || family === AF_UNIX) return { kind: 'ok', length, version: 2, source: null, destination: null };
  if (family === AF_INET) {
    return {
      kind: 'ok', length, version: 2,
      source: { ip: ipv4Text(buf, 16), port: buf.readUInt16BE(24) },
      destination: { ip: ipv4Text(buf, 20), port: buf.readUInt16BE(26) },
    };
  }
  return {
    kind: 'ok', length, version: 2,
    source: { ip: ipv6Text(buf, 16), port: buf.readUInt16BE(48) },
    destination: { ip: ipv6Text(buf, 32), port: buf.readUInt16BE(50) },
  };
}

function ipv4Text(buf: Buffer, at: number): string {
  return `${buf[at]}.${buf[at + 1]}.${buf[at + 2]}.${buf[at + 3]}`;
}

/** RFC 5952 text (longest zero run as `::`), as Node prints socket addresses, so routes and logs compare equal. */
function ipv6Text(buf: Buffer, at: number): string {
  const groups: number[] = [];
  for (let i = 0; i < 8; i++) groups.push(buf.readUInt16BE(at + i * 2));
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${ipv4Text(buf, at + 12)}`;
  }
  let bestStart = -1;
  let bestLength = 1;
  for (let i = 0; i < 8; ) {
    if (groups[i] !== 0) {
      i++;
      continue;
    }
    let j = i;
    while (j < 8 && groups[j] === 0) j++;
    if (j - i > bestLength) {
      bestStart = i;
      bestLength = j - i;
    }
    i = j;
  }
  const hex = groups.map((g) => g.toString(16));
  if (bestStart === -1) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}
