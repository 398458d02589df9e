import { parseProxyHeader } from './proxy-protocol';

const V2 = [0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a];

describe('parseProxyHeader', () => {
  it.each([
    ['v1 TCP4', Buffer.from('PROXY TCP4 1.2.3.4 5.6.7.8 1111 80\r\nGET'), { kind: 'ok', source: '1.2.3.4', length: 36 }],
    ['v1 TCP6', Buffer.from('PROXY TCP6 ::1 ::2 1 2\r\n'), { kind: 'ok', source: '::1', length: 24 }],
    ['v1 UNKNOWN', Buffer.from('PROXY UNKNOWN\r\n'), { kind: 'ok', source: null, length: 15 }],
    ['v1 partial', Buffer.from('PROXY TCP4 1.2'), { kind: 'incomplete' }],
    ['v1 prefix partial', Buffer.from('PRO'), { kind: 'incomplete' }],
    ['v1 bad family', Buffer.from('PROXY UDP4 1.2.3.4 5.6.7.8 1 2\r\n'), { kind: 'invalid' }],
    ['v1 too long', Buffer.from(`PROXY TCP4 ${'1'.repeat(120)}`), { kind: 'invalid' }],
    ['not proxy', Buffer.from('GET / HTTP/1.1\r\n'), { kind: 'invalid' }],
    ['v2 IPv4', Buffer.from([...V2, 0x21, 0x11, 0, 12, 10, 1, 2, 3, 10, 0, 0, 1, 0, 80, 0, 81]), { kind: 'ok', source: '10.1.2.3', length: 28 }],
    [
      'v2 IPv6',
      Buffer.from([...V2, 0x21, 0x21, 0, 36, 0x20, 0x01, 0x0d, 0xb8, ...Array(11).fill(0), 7, ...Array(16).fill(0), 0, 80, 0, 81]),
      { kind: 'ok', source: '2001:db8::7', length: 52 },
    ],
    ['v2 LOCAL', Buffer.from([...V2, 0x20, 0x00, 0, 0]), { kind: 'ok', source: null, length: 16 }],
    ['v2 partial', Buffer.from([...V2, 0x21, 0x11, 0, 12, 10]), { kind: 'incomplete' }],
    ['v2 bad version', Buffer.from([...V2, 0x31, 0x11, 0, 0]), { kind: 'invalid' }],
  ])('%s', (_name, input, expected) => {
    expect(parseProxyHeader(input)).toEqual(expected);
  });
});
