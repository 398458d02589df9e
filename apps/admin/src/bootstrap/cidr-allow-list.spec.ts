import { CidrAllowList, isLoopbackAddress } from './cidr-allow-list';

describe('CidrAllowList', () => {
  const list = new CidrAllowList(['10.0.0.0/8', '192.168.1.7', 'fd00::/8']);

  test.each([
    ['10.1.2.3', true],
    ['::ffff:10.1.2.3', true],
    ['11.0.0.1', false],
    ['192.168.1.7', true],
    ['192.168.1.8', false],
    ['fd12::1', true],
    ['fe80::1', false],
    ['not-an-ip', false],
    [undefined, false],
  ])('%s allowed: %s', (address, expected) => {
    expect(list.allows(address)).toBe(expected);
  });

  test('an empty list allows everyone', () => {
    expect(new CidrAllowList([]).allows('203.0.113.9')).toBe(true);
  });

  test.each(['10.0.0.0/33', '10.0.0.0/x', 'nope/8', '::/129'])('%s is rejected at start', (cidr) => {
    expect(() => new CidrAllowList([cidr])).toThrow(/^admin_access_allow: invalid/);
  });
});

test.each([
  ['127.0.0.1', true],
  ['127.8.9.10', true],
  ['::1', true],
  ['[::1]', true],
  ['localhost', true],
  ['::ffff:127.0.0.1', true],
  ['0.0.0.0', false],
  ['::', false],
  ['10.0.0.1', false],
])('isLoopbackAddress(%s) = %s', (host, expected) => {
  expect(isLoopbackAddress(host)).toBe(expected);
});
