import { parseProxyHeader, V1_MAX_LENGTH } from './proxy-protocol';

const SIG = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];
/** A v2 header: version/command byte, family/transport byte, then the address block (and TLVs). */
const v2 = (verCmd: number, famProto: number, body: number[], declared = body.length) =>
  Buffer.from([...SIG, verCmd, famProto, declared >> 8, declared & 0xff, ...body]);
const V4_BODY = [10, 1, 2, 3, 10, 0, 0, 1, 0xdc, 0x04, 0x1f, 0x40];
const V6_BODY = [0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 7, ...Array(15).fill(0), 1, 0, 80, 0, 81];
const ok = (length: number, version: 1 | 2, source: [string, number] | null, destination: [string, number] | null) => ({
  kind: 'ok', length, version,
  source: source && { ip: source[0], port: source[1] },
  destination: destination && { ip: destination[0], port: destination[1] },
});
const bad = (reason: string) => ({ kind: 'invalid', reason });
const MALFORMED = bad('malformed PROXY v1 header');

describe('parseProxyHeader (one parser for HTTP and stream listeners)', () => {
  it.each([
    // v1
    ['v1 TCP4', 'PROXY TCP4 1.2.3.4 5.6.7.8 1111 80\r\nGET', ok(36, 1, ['1.2.3.4', 1111], ['5.6.7.8', 80])],
    ['v1 TCP6', 'PROXY TCP6 ::1 2001:db8::2 1 2\r\n', ok(32, 1, ['::1', 1], ['2001:db8::2', 2])],
    ['v1 UNKNOWN', 'PROXY UNKNOWN\r\n', ok(15, 1, null, null)],
    ['v1 UNKNOWN with addresses (ignored)', 'PROXY UNKNOWN 1.2.3.4 5.6.7.8 1 2\r\n', ok(35, 1, null, null)],
    ['v1 ports 0 and 65535', 'PROXY TCP4 1.2.3.4 5.6.7.8 0 65535\r\n', ok(36, 1, ['1.2.3.4', 0], ['5.6.7.8', 65535])],
    ['v1 partial', 'PROXY TCP4 1.2', { kind: 'incomplete' }],
    ['v1 prefix partial', 'PRO', { kind: 'incomplete' }],
    ['v1 script as address', 'PROXY TCP4 <script> 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 hostname as address', 'PROXY TCP4 example.com 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 IPv6 address on TCP4', 'PROXY TCP4 ::1 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 IPv4 address on TCP6', 'PROXY TCP6 1.2.3.4 ::1 1 2\r\n', MALFORMED],
    ['v1 octet out of range', 'PROXY TCP4 1.2.3.256 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 port out of range', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n', MALFORMED],
    ['v1 port with leading zero', 'PROXY TCP4 1.2.3.4 5.6.7.8 080 2\r\n', MALFORMED],
    ['v1 negative port', 'PROXY TCP4 1.2.3.4 5.6.7.8 -1 2\r\n', MALFORMED],
    ['v1 missing port', 'PROXY TCP4 1.2.3.4 5.6.7.8 1\r\n', MALFORMED],
    ['v1 extra field', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2 3\r\n', MALFORMED],
    ['v1 double space', 'PROXY TCP4  1.2.3.4 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 bad family', 'PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 lower-case family', 'PROXY tcp4 1.2.3.4 5.6.7.8 1 2\r\n', MALFORMED],
    ['v1 bare LF', 'PROXY TCP4 1.2.3.4 5.6.7.8 1 2\nGET / HTTP/1.1\r\n', MALFORMED],
    ['v1 no CRLF within 107 bytes', `PROXY TCP4 ${'1'.repeat(120)}`, bad('PROXY v1 header longer than 107 bytes')],
    ['v1 CRLF just past 107 bytes', `PROXY UNKNOWN ${'x'.repeat(V1_MAX_LENGTH - 15)}\r\n`, bad('PROXY v1 header longer than 107 bytes')],
    ['v1 exactly 107 bytes', `PROXY UNKNOWN ${'x'.repeat(V1_MAX_LENGTH - 16)}\r\n`, ok(107, 1, null, null)],
    ['not a PROXY header', 'GET / HTTP/1.1\r\n', bad('no PROXY protocol header')],
    ['PROXY without space', 'PROXYTCP4 1.2.3.4\r\n', bad('no PROXY protocol header')],
    // v2
    ['v2 IPv4', v2(0x21, 0x11, V4_BODY), ok(28, 2, ['10.1.2.3', 56324], ['10.0.0.1', 8000])],
    ['v2 IPv4 with TLVs after', v2(0x21, 0x11, [...V4_BODY, 0x04, 0, 1, 0]), ok(32, 2, ['10.1.2.3', 56324], ['10.0.0.1', 8000])],
    ['v2 IPv6', v2(0x21, 0x21, V6_BODY), ok(52, 2, ['2001:db8::7', 80], ['::1', 81])],
    ['v2 IPv4-mapped IPv6', v2(0x21, 0x21, [...Array(10).fill(0), 0xff, 0xff, 192, 0, 2, 9, ...Array(16).fill(0), 0, 1, 0, 2]), ok(52, 2, ['::ffff:192.0.2.9', 1], ['::', 2])],
    ['v2 LOCAL', v2(0x20, 0x00, []), ok(16, 2, null, null)],
    ['v2 LOCAL with addresses (ignored)', v2(0x20, 0x11, V4_BODY), ok(28, 2, null, null)],
    ['v2 UNSPEC family', v2(0x21, 0x00, []), ok(16, 2, null, null)],
    ['v2 UNIX family (keeps the peer)', v2(0x21, 0x31, Array(216).fill(0)), ok(232, 2, null, null)],
    ['v2 partial fixed part', Buffer.from(SIG.slice(0, 8)), { kind: 'incomplete' }],
    ['v2 partial addresses', v2(0x21, 0x11, V4_BODY).subarray(0, 20), { kind: 'incomplete' }],
    ['v2 bad signature', Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0b]), bad('no PROXY protocol header')],
    ['v2 version 3', v2(0x31, 0x11, V4_BODY), bad('unsupported PROXY protocol version')],
    ['v2 version 1 in the binary form', v2(0x11, 0x11, V4_BODY), bad('unsupported PROXY protocol version')],
    ['v2 command 2', v2(0x22, 0x11, V4_BODY), bad('unknown PROXY v2 command')],
    ['v2 family 4', v2(0x21, 0x41, V4_BODY), bad('unknown PROXY v2 address family or transport')],
    ['v2 transport 3', v2(0x21, 0x13, V4_BODY), bad('unknown PROXY v2 address family or transport')],
    ['v2 IPv4 block too short', v2(0x21, 0x11, V4_BODY.slice(0, 8)), bad('PROXY v2 address block shorter than its family needs')],
    ['v2 IPv6 block too short', v2(0x21, 0x21, V6_BODY.slice(0, 12)), bad('PROXY v2 address block shorter than its family needs')],
    ['v2 length over the bound', v2(0x21, 0x11, V4_BODY, 2000), bad('PROXY v2 header too large')],
  ])('%s', (_name, input, expected) => {
    expect(parseProxyHeader(typeof input === 'string' ? Buffer.from(input, 'latin1') : input)).toEqual(expected);
  });
});
