// Peer addresses and route endpoints: what parses, what does not, and how blocks contain addresses.
import { blockContains, parseIp, parseIpBlock } from './ip';

describe('parseIp', () => {
  it.each([
    ['127.0.0.1', [0x7f000001]],
    ['0.0.0.0', [0]],
    ['255.255.255.255', [0xffffffff]],
    ['010.001.000.009', [0x0a010009]],
    ['::ffff:10.0.0.1', [0x0a000001]],
  ])('%s is IPv4 %j', (text, words) => {
    const ip = parseIp(text);
    expect(ip?.v6).toBe(false);
    expect(Array.from(ip!.words)).toEqual(words);
  });

  it.each(['', '1.2.3', '1.2.3.4.5', '1..2.3', '.1.2.3', '1.2.3.', '256.0.0.1', '1.2.3.1000', '1.2.3.a', '1.2.3.4/8', ' 1.2.3.4', '1.2.3.-4'])(
    '%j is not an address',
    (text) => expect(parseIp(text)).toBeNull(),
  );

  it('keeps IPv6 as four words', () => {
    expect(Array.from(parseIp('2001:db8::1')!.words)).toEqual([0x20010db8, 0, 0, 1]);
  });
});

describe('blockContains', () => {
  it.each([
    ['10.0.0.0/8', '10.255.1.2', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['127.0.0.1', '127.0.0.1', true],
    ['127.0.0.1', '127.0.0.2', false],
    ['0.0.0.0/0', '192.168.1.1', true],
    ['2001:db8::/32', '2001:db8:1::5', true],
    ['2001:db8::/32', '10.0.0.1', false],
  ])('%s contains %s: %s', (block, ip, expected) => {
    expect(blockContains(parseIpBlock(block)!, parseIp(ip)!)).toBe(expected);
  });
});
