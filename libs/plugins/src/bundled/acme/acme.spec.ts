import { spawnSync } from 'node:child_process';
import { directoryUrl } from './certificates';
import { domainMatcher, listedDomain, type AcmeConf } from './conf';
import { certificateRequest, newPrivateKey } from './protocol';
import { MemoryStorage } from './storage';

const conf = (over: Partial<AcmeConf>): AcmeConf => ({
  account_email: 'a@b.test', api_uri: 'https://ca.test/directory', tos_accepted: false, cert_type: 'rsa', rsa_key_size: 2048,
  renew_threshold_days: 14, allow_any_domain: false, fail_backoff_minutes: 5, storage: 'shm', enable_ipv4_common_name: true, ...over,
});

describe('acme domain matching (Kong\'s build_domain_matcher + check_domains)', () => {
  test.each([
    ['a.test', true], ['A.TEST', true], ['x.wild.test', true], ['x.y.wild.test', true], ['wild.test', false], ['b.test', false],
  ])('%s -> %s', (host, expected) => {
    expect(domainMatcher(conf({ domains: ['a.test', '*.wild.test'] }))(host)).toBe(expected);
  });

  test('allow_any_domain, IPv4 names and the domains-only check of POST /acme', () => {
    const any = conf({ allow_any_domain: true });
    expect(domainMatcher(any)('anything.test')).toBe(true);
    expect(domainMatcher({ ...any, enable_ipv4_common_name: false })('10.0.0.1')).toBe(false);
    expect(domainMatcher(any)('10.0.0.1')).toBe(true);
    expect(listedDomain(any, 'anything.test')).toBe(false);
  });
});

test('directoryUrl: /directory appended to a bare CA URL only', () => {
  expect(directoryUrl('https://acme-v02.api.letsencrypt.org')).toBe('https://acme-v02.api.letsencrypt.org/directory');
  expect(directoryUrl('https://ca.test/')).toBe('https://ca.test/directory');
  expect(directoryUrl('https://ca.test/directory')).toBe('https://ca.test/directory');
  expect(directoryUrl('https://127.0.0.1:14000/dir')).toBe('https://127.0.0.1:14000/dir');
});

describe('certificateRequest', () => {
  test.each([['rsa', 'example.test', 'DNS:example.test'], ['ecc', 'example.test', 'DNS:example.test'], ['rsa', '10.1.2.3', 'IP Address:10.1.2.3']] as const)(
    '%s key for %s: a PKCS#10 request openssl verifies', async (type, host, san) => {
      const der = certificateRequest(host, await newPrivateKey(type, 2048));
      const out = spawnSync('openssl', ['req', '-inform', 'DER', '-verify', '-noout', '-text'], { input: der, encoding: 'utf8' });
      expect(out.stderr + out.stdout).toMatch(/verify OK/i);
      expect(out.stdout).toContain(`CN = ${host}`);
      expect(out.stdout).toContain(san);
    });
});

test('MemoryStorage: add is a lock, ttl expires, list by prefix', async () => {
  const st = new MemoryStorage();
  expect(await st.add('lock', 'x', 0.05)).toBe(true);
  expect(await st.add('lock', 'y')).toBe(false);
  await st.set('p:a', '1');
  await st.set('p:b', '2');
  expect((await st.list('p:')).sort()).toEqual(['p:a', 'p:b']);
  await new Promise((r) => setTimeout(r, 80));
  expect(await st.get('lock')).toBeNull();
  expect(await st.add('lock', 'z')).toBe(true);
});
