import type { ListenEntry } from './types';
import { insecureExposureError } from './admin-exposure';

const entry = (ip: string, ssl = false): ListenEntry => ({
  ip, port: 8001, listener: `${ip}:8001`, ssl, http2: false, proxyProtocol: false, deferred: false, bind: false, reuseport: false, transparent: false,
});
const base = { admin_access_allow: [] as string[], admin_api_key: null, admin_ssl_client_ca: null, admin_allow_insecure: false };

test.each([
  ['loopback only', { admin_listeners: [entry('127.0.0.1'), entry('::1', true)] }, false],
  ['0.0.0.0 unprotected', { admin_listeners: [entry('0.0.0.0')] }, true],
  ['0.0.0.0 with an allow-list', { admin_listeners: [entry('0.0.0.0')], admin_access_allow: ['10.0.0.0/8'] }, false],
  ['0.0.0.0 with an api key', { admin_listeners: [entry('0.0.0.0')], admin_api_key: 'k' }, false],
  ['0.0.0.0 ssl with mutual TLS', { admin_listeners: [entry('0.0.0.0', true)], admin_ssl_client_ca: '/ca.pem' }, false],
  ['0.0.0.0 plain with mutual TLS (mTLS does not cover plain HTTP)', { admin_listeners: [entry('0.0.0.0')], admin_ssl_client_ca: '/ca.pem' }, true],
  ['0.0.0.0 with admin_allow_insecure', { admin_listeners: [entry('0.0.0.0')], admin_allow_insecure: true }, false],
])('%s -> refused: %s', (_label, settings, refused) => {
  const message = insecureExposureError({ ...base, ...settings });
  expect(message !== null).toBe(refused);
  if (refused) expect(message).toMatch(/^refusing to start: admin_listen binds 0\.0\.0\.0:8001, .* admin_allow_insecure = on to accept the risk\.$/);
});
