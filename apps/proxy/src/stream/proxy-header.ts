// PROXY protocol v1/v2 on stream listeners. We only frame the header here (find where it ends, within a hard
// size bound) and hand the complete header to proxy-protocol-js to decode; addresses are then checked with isIP.
import { isIP } from 'node:net';
import { Command, IPv4ProxyAddress, IPv6ProxyAddress, V1ProxyProtocol, V2ProxyProtocol } from 'proxy-protocol-js';

const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);
const V1_SIGNATURE = Buffer.from('PROXY ');
/** The v1 spec's bound: 107 bytes including CRLF. */
export const V1_MAX_LENGTH = 107;
/** v2 carries TLVs after the addresses; more than this is not a header we accept. */
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

function startsWithPart(buf: Buffer, signature: Buffer): boolean {
  const n = Math.min(buf.length, signature.length);
  return buf.compare(signature, 0, n, 0, n) === 0;
}

export function parseProxyHeader(buf: Buffer): ProxyHeaderResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] === V2_SIGNATURE[0]) return frameV2(buf);
  if (buf[0] === V1_SIGNATURE[0]) return frameV1(buf);
  return invalid('no PROXY protocol header');
}

function frameV1(buf: Buffer): ProxyHeaderResult {
  if (!startsWithPart(buf, V1_SIGNATURE)) return invalid('no PROXY protocol header');
  const end = buf.subarray(0, V1_MAX_LENGTH).indexOf('\r\n');
  if (end === -1) return buf.length >= V1_MAX_LENGTH ? invalid('PROXY v1 header longer than 107 bytes') : INCOMPLETE;
  const length = end + 2;
  const text = buf.toString('latin1', 0, length);
  if (text.startsWith('PROXY UNKNOWN')) return { kind: 'ok', length, version: 1, source: null, destination: null };
  let parsed: V1ProxyProtocol;
  try {
    parsed = V1ProxyProtocol.parse(text);
  } catch {
    return invalid('malformed PROXY v1 header');
  }
  const family = String(parsed.inetProtocol) === 'TCP6' ? 6 : 4;
  const source = endpoint(parsed.source.ipAddress, parsed.source.port, family);
  const destination = endpoint(parsed.destination.ipAddress, parsed.destination.port, family);
  if (source === null || destination === null) return invalid('malformed PROXY v1 header');
  return { kind: 'ok', length, version: 1, source, destination };
}

function endpoint(ip: string, port: number, family: 4 | 6): ProxiedEndpoint | null {
  if (isIP(ip) !== family || !Number.isInteger(port) || port < 0 || port > 65535) return null;
  return { ip, port };
}

function frameV2(buf: Buffer): ProxyHeaderResult {
  if (!startsWithPart(buf, V2_SIGNATURE)) return invalid('no PROXY protocol header');
  if (buf.length < 16) return INCOMPLETE;
  if (buf[12] >> 4 !== 2) return invalid('unsupported PROXY protocol version');
  const length = 16 + buf.readUInt16BE(14);
  if (length > V2_MAX_LENGTH) return invalid('PROXY v2 header too large');
  if (buf.length < length) return INCOMPLETE;
  let parsed: V2ProxyProtocol;
  try {
    parsed = V2ProxyProtocol.parse(new Uint8Array(buf.buffer, buf.byteOffset, length));
  } catch {
    return invalid('malformed PROXY v2 header');
  }
  if (parsed.command === Command.LOCAL) return { kind: 'ok', length, version: 2, source: null, destination: null };
  if (parsed.command !== Command.PROXY) return invalid('unknown PROXY v2 command');
  const address = parsed.proxyAddress;
  if (address instanceof IPv4ProxyAddress) {
    return {
      kind: 'ok', length, version: 2,
      source: { ip: address.sourceAddress.address.join('.'), port: address.sourcePort },
      destination: { ip: address.destinationAddress.address.join('.'), port: address.destinationPort },
    };
  }
  if (address instanceof IPv6ProxyAddress) {
    return {
      kind: 'ok', length, version: 2,
      source: { ip: ipv6Text(address.sourceAddress.address), port: address.sourcePort },
      destination: { ip: ipv6Text(address.destinationAddress.address), port: address.destinationPort },
    };
  }
  return { kind: 'ok', length, version: 2, source: null, destination: null };
}

/** RFC 5952 text (longest zero run as `::`), as Node prints socket addresses, so routes and logs compare equal. */
function ipv6Text(bytes: readonly number[]): string {
  const groups: number[] = [];
  for (let i = 0; i < 16; i += 2) groups.push((bytes[i] << 8) | bytes[i + 1]);
  if (groups[0] === 0 && groups[1] === 0 && groups[2] === 0 && groups[3] === 0 && groups[4] === 0 && groups[5] === 0xffff) {
    return `::ffff:${bytes[12]}.${bytes[13]}.${bytes[14]}.${bytes[15]}`;
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
