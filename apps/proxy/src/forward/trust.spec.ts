import { compileTrustPolicy } from './trust';

describe('compileTrustPolicy', () => {
  it.each([
    [['10.0.0.0/8'], '10.1.2.3', true],
    [['10.0.0.0/8'], '11.0.0.1', false],
    [['10.0.0.0/8'], '::ffff:10.1.2.3', true],
    [['0.0.0.0/0', '::/0'], '203.0.113.1', true],
    [['0.0.0.0/0', '::/0'], '2001:db8::1', true],
    [['127.0.0.1'], '127.0.0.1', true],
    [[], '127.0.0.1', false],
    [['unix:'], '127.0.0.1', false],
  ])('trusted_ips %j: %s -> %s', (ips, ip, trusted) => {
    expect(compileTrustPolicy(ips, 'X-Real-IP', false).isTrusted(ip)).toBe(trusted);
  });

  it.each([
    [false, '1.1.1.1, 10.0.0.5, 10.0.0.6', '10.0.0.6'],
    [true, '1.1.1.1, 10.0.0.5, 10.0.0.6', '1.1.1.1'],
    [true, '10.0.0.4, 10.0.0.5', '10.0.0.4'],
    [false, 'garbage', '10.0.0.9'],
  ])('real_ip_recursive %s with %s -> %s', (recursive, header, expected) => {
    const policy = compileTrustPolicy(['10.0.0.0/8'], 'X-Forwarded-For', recursive);
    expect(policy.headerName).toBe('x-forwarded-for');
    expect(policy.realIp('10.0.0.9', true, header)).toBe(expected);
  });

  it('untrusted peers keep their own address', () => {
    expect(compileTrustPolicy(['10.0.0.0/8'], 'X-Real-IP', false).realIp('8.8.8.8', false, '1.1.1.1')).toBe('8.8.8.8');
  });
});
