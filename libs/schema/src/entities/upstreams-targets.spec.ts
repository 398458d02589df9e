import { schemaViolation } from '@tollgate/errors';
import { consumers, targets, upstreams, validateEntity } from '../index';

const UP = { id: '0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01' };
const fieldsOf = (schema: typeof upstreams, input: Record<string, unknown>) => {
  const result = validateEntity(schema, input, { mode: 'insert' });
  return result.ok ? null : result.fields;
};
const COND = (field: string) => ["failed conditional validation given value of field '" + field + "'"];

describe('upstreams', () => {
  test('defaults include the full healthchecks tree', () => {
    const result = validateEntity(upstreams, { name: 'orders.up' }, { mode: 'insert' });
    expect(result).toMatchObject({
      ok: true,
      value: {
        algorithm: 'round-robin', hash_on: 'none', hash_fallback: 'none', hash_on_cookie_path: '/', slots: 10000, use_srv_name: false,
        healthchecks: {
          threshold: 0,
          active: {
            type: 'http', timeout: 1, concurrency: 10, http_path: '/', https_sni: null, https_verify_certificate: true, headers: null,
            healthy: { interval: 0, http_statuses: [200, 302], successes: 0 },
            unhealthy: { interval: 0, http_statuses: [429, 404, 500, 501, 502, 503, 504, 505], tcp_failures: 0, timeouts: 0, http_failures: 0 },
          },
          passive: {
            type: 'http',
            healthy: { http_statuses: [200, 201, 202, 203, 204, 205, 206, 207, 208, 226, 300, 301, 302, 303, 304, 305, 306, 307, 308], successes: 0 },
            unhealthy: { http_statuses: [429, 500, 503], tcp_failures: 0, timeouts: 0, http_failures: 0 },
          },
        },
      },
    });
  });

  test.each<[Record<string, unknown>, unknown]>([
    [{ name: '1.2.3.4' }, { name: "Invalid name ('1.2.3.4'); no ip addresses allowed" }],
    [{ name: 'a.com:80' }, { name: "Invalid name ('a.com:80'); no port allowed" }],
    [{ name: 'bad name' }, { name: "Invalid name ('bad name'); must be a valid hostname" }],
    [{}, { name: 'required field missing' }],
    [{ name: 'u', slots: 5 }, { slots: 'value should be between 10 and 65536' }],
    [{ name: 'u', hash_on: 'header' }, { '@entity': COND('hash_on'), hash_on_header: 'required field missing' }],
    [{ name: 'u', hash_on: 'cookie' }, { '@entity': COND('hash_on'), hash_on_cookie: 'required field missing' }],
    [{ name: 'u', hash_on: 'query_arg' }, { '@entity': COND('hash_on'), hash_on_query_arg: 'required field missing' }],
    [{ name: 'u', hash_on: 'ip', hash_fallback: 'uri_capture' }, { '@entity': COND('hash_fallback'), hash_fallback_uri_capture: 'required field missing' }],
    [{ name: 'u', hash_on: 'none', hash_fallback: 'ip' }, { '@entity': COND('hash_on'), hash_fallback: 'expected one of: none' }],
    [{ name: 'u', hash_on: 'cookie', hash_on_cookie: 'c', hash_fallback: 'ip' }, { '@entity': COND('hash_on'), hash_fallback: 'expected one of: none' }],
    [{ name: 'u', hash_on: 'consumer', hash_fallback: 'consumer' }, { '@entity': COND('hash_on'), hash_fallback: 'expected one of: none, ip, header, cookie, path, query_arg, uri_capture' }],
    [{ name: 'u', hash_on: 'header', hash_on_header: 'x-a', hash_fallback: 'header', hash_fallback_header: 'x-a' },
      { '@entity': ["values of these fields must be distinct: 'hash_on_header', 'hash_fallback_header'"] }],
    [{ name: 'u', hash_on: 'header', hash_on_header: 'x-a', hash_fallback: 'header', hash_fallback_header: 'x-b' }, null],
    [{ name: 'u', healthchecks: { active: { healthy: { interval: 70000 } } } }, { healthchecks: { active: { healthy: { interval: 'value should be between 0 and 65535' } } } }],
    [{ name: 'u', healthchecks: { active: { unhealthy: { http_statuses: [99] } } } }, { healthchecks: { active: { unhealthy: { http_statuses: ['value should be between 100 and 999'] } } } }],
    [{ name: 'u', host_header: 'a.com:8080' }, null],
  ])('%j', (input, fields) => {
    expect(fieldsOf(upstreams, input)).toEqual(fields);
  });

  test.each<[Record<string, unknown>, Record<string, unknown>]>([
    [{ algorithm: 'consistent-hashing', hash_on: 'none' }, { algorithm: 'round-robin', hash_on: 'none' }],
    [{ algorithm: 'round-robin', hash_on: 'ip' }, { algorithm: 'consistent-hashing', hash_on: 'ip' }],
    [{ algorithm: 'least-connections', hash_on: 'ip' }, { algorithm: 'least-connections', hash_on: 'none' }],
    [{ algorithm: 'latency', hash_on: 'consumer' }, { algorithm: 'latency', hash_on: 'none' }],
    [{ algorithm: 'consistent-hashing' }, { algorithm: 'consistent-hashing', hash_on: 'none' }],
    [{ hash_on: null }, { algorithm: 'round-robin', hash_on: 'none' }],
  ])("Kong's algorithm/hash_on normalisation on save: %j is stored as %j", (input, stored) => {
    expect(validateEntity(upstreams, { name: 'u', ...input }, { mode: 'insert' })).toMatchObject({ ok: true, value: stored });
  });

  test('an invalid algorithm lists Kong\'s values in Kong\'s order', () => {
    expect(fieldsOf(upstreams, { name: 'u', algorithm: 'random' })).toEqual({ algorithm: 'expected one of: consistent-hashing, least-connections, round-robin, latency' });
    expect(fieldsOf(upstreams, { name: 'u', hash_fallback: 'x' })).toMatchObject({ hash_fallback: 'expected one of: none, consumer, ip, header, cookie, path, query_arg, uri_capture' });
  });

  test('hash_on implies consistent-hashing; least-connections implies hash_on none', () => {
    expect(validateEntity(upstreams, { name: 'u', hash_on: 'ip' }, { mode: 'insert' })).toMatchObject({ ok: true, value: { algorithm: 'consistent-hashing' } });
    expect(validateEntity(upstreams, { name: 'u', algorithm: 'least-connections' }, { mode: 'insert' })).toMatchObject({ ok: true, value: { hash_on: 'none' } });
  });

  test('Kong message for a bad hash_fallback', () => {
    const fields = fieldsOf(upstreams, { name: 'u', hash_on: 'consumer', hash_fallback: 'consumer' })!;
    expect((schemaViolation(fields).body as { message: string }).message).toBe(
      "2 schema violations (failed conditional validation given value of field 'hash_on'; hash_fallback: expected one of: none, ip, header, cookie, path, query_arg, uri_capture)",
    );
  });
});

describe('targets', () => {
  test.each([
    ['10.20.30.40', '10.20.30.40:8000'],
    ['10.20.30.40:80', '10.20.30.40:80'],
    ['example.com', 'example.com:8000'],
    ['example.com:1', 'example.com:1'],
    ['::1', '[::1]:8000'],
    ['[::1]', '[::1]:8000'],
    ['[::1]:81', '[::1]:81'],
  ])('%s is stored as %s', (target, stored) => {
    expect(validateEntity(targets, { upstream: UP, target }, { mode: 'insert' })).toMatchObject({ ok: true, value: { target: stored, weight: 100 } });
  });

  test.each<[Record<string, unknown>, unknown]>([
    [{ upstream: UP, target: 'hostname:1.0' }, { target: "Invalid target ('hostname:1.0'); not a valid hostname or ip address" }],
    [{ upstream: UP, target: 'a.com:70000' }, { target: "Invalid target ('a.com:70000'); not a valid hostname or ip address" }],
    // Kong reads a digits-and-dots host as IPv4 (kong/tools/ip.lua hostname_type), so these are no hostnames
    [{ upstream: UP, target: '123' }, { target: "Invalid target ('123'); not a valid hostname or ip address" }],
    [{ upstream: UP, target: '123:80' }, { target: "Invalid target ('123:80'); not a valid hostname or ip address" }],
    [{ upstream: UP, target: '1.2.3' }, { target: "Invalid target ('1.2.3'); not a valid hostname or ip address" }],
    [{ upstream: UP, target: 'a.com', weight: 65536 }, { weight: 'value should be between 0 and 65535' }],
    [{ target: 'a.com' }, { upstream: 'required field missing' }],
  ])('%j', (input, fields) => {
    expect(fieldsOf(targets, input)).toEqual(fields);
  });
});

test('consumers: canonical at-least-one body', () => {
  const result = validateEntity(consumers, { tags: ['a'] }, { mode: 'insert' });
  expect(JSON.stringify(schemaViolation(result.ok ? {} : result.fields).body)).toBe(
    '{"code":2,"name":"schema violation","message":"schema violation (at least one of these fields must be non-empty: \'custom_id\', \'username\')","fields":{"@entity":["at least one of these fields must be non-empty: \'custom_id\', \'username\'"]}}',
  );
  expect(validateEntity(consumers, { custom_id: 'c' }, { mode: 'insert' }).ok).toBe(true);
});
