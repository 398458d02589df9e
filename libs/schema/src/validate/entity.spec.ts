import { consumers, plugins, services, upstreams, validateEntity, withAutoFields, targets } from '../index';

const NOW = 1712345678123;
const ID = '0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01';

describe('defaults, required, unknown fields, auto fields', () => {
  test('insert fills every field: defaults, null for unset, id and integer-second timestamps', () => {
    const result = validateEntity(services, { host: 'example.com' }, { mode: 'insert', now: NOW });
    expect(result.ok).toBe(true);
    const value = (result as { value: Record<string, unknown> }).value;
    expect(value).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/), created_at: 1712345678, updated_at: 1712345678,
      name: null, retries: 5, protocol: 'http', host: 'example.com', port: 80, path: null,
      connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tags: null, client_certificate: null,
      tls_verify: null, tls_verify_depth: null, ca_certificates: null, enabled: true,
    });
  });

  test('client id and created_at are kept; bad id rejected', () => {
    const ok = validateEntity(consumers, { id: ID, username: 'a', created_at: 5 }, { mode: 'insert', now: NOW });
    expect(ok).toMatchObject({ ok: true, value: { id: ID, created_at: 5, updated_at: 1712345678 } });
    expect(validateEntity(consumers, { id: 'x', username: 'a' }, { mode: 'insert' })).toEqual({ ok: false, fields: { id: 'expected a valid UUID' } });
  });

  test('required after defaults; explicit null on a required field', () => {
    expect(validateEntity(services, {}, { mode: 'insert' })).toEqual({ ok: false, fields: { host: 'required field missing' } });
    expect(validateEntity(services, { host: 'x', port: null }, { mode: 'insert' })).toEqual({ ok: false, fields: { port: 'required field missing' } });
  });

  test('unknown field', () => {
    expect(validateEntity(consumers, { username: 'a', foo: 1 }, { mode: 'insert' })).toEqual({ ok: false, fields: { foo: 'unknown field' } });
  });

  test('targets use float seconds with millisecond precision', () => {
    const value = withAutoFields(targets, {}, NOW);
    expect(value.created_at).toBe(1712345678.123);
    expect(value.updated_at).toBe(1712345678.123);
  });

  test('autoFields: false leaves id and timestamps alone', () => {
    const result = validateEntity(consumers, { username: 'a' }, { mode: 'insert', autoFields: false });
    expect(result).toMatchObject({ ok: true, value: { id: null, created_at: null } });
  });
});

describe('PATCH (update) merges onto previous then validates the whole', () => {
  const previous = (validateEntity(services, { name: 'svc', host: 'a.com', tags: ['x', 'y'] }, { mode: 'insert', now: 1000_000 }) as { value: Record<string, unknown> }).value;

  test('only given keys change; created_at kept; updated_at now; arrays replaced', () => {
    const result = validateEntity(services, { port: 8080, tags: ['z'] }, { mode: 'update', previous, now: NOW });
    expect(result).toMatchObject({ ok: true, value: { id: previous.id, name: 'svc', host: 'a.com', port: 8080, tags: ['z'], created_at: 1000, updated_at: 1712345678 } });
  });

  test('explicit null clears; a required field cleared is an error', () => {
    expect(validateEntity(services, { name: null }, { mode: 'update', previous })).toMatchObject({ ok: true, value: { name: null } });
    expect(validateEntity(services, { host: null }, { mode: 'update', previous })).toEqual({ ok: false, fields: { host: 'required field missing' } });
  });

  test('whole-entity checks run on the merged value', () => {
    expect(validateEntity(services, { protocol: 'tcp' }, { mode: 'update', previous: { ...previous, path: '/x' } })).toEqual({
      ok: false, fields: { '@entity': ["failed conditional validation given value of field 'protocol'"], path: 'value must be null' },
    });
  });

  test('records deep-merge (healthchecks) while arrays inside are replaced', () => {
    const base = (validateEntity(upstreams, { name: 'up' }, { mode: 'insert' }) as { value: Record<string, any> }).value;
    const result = validateEntity(upstreams, { healthchecks: { active: { healthy: { interval: 5, http_statuses: [200] } } } }, { mode: 'update', previous: base });
    const hc = (result as { value: Record<string, any> }).value.healthchecks;
    expect(hc.active.healthy).toEqual({ interval: 5, http_statuses: [200], successes: 0 });
    expect(hc.active.unhealthy.http_statuses).toEqual([429, 404, 500, 501, 502, 503, 504, 505]);
    expect(hc.passive.type).toBe('http');
  });

  test('plugin config deep-merges with the plugin fields', () => {
    const pluginSchemas = new Map([['rate-limiting', [
      ['minute', { type: 'number' }], ['hour', { type: 'number' }], ['policy', { type: 'string', default: 'local' }],
    ] as const]]);
    const prev = (validateEntity(plugins, { name: 'rate-limiting', config: { minute: 5 } }, { mode: 'insert', pluginSchemas }) as { value: Record<string, any> }).value;
    expect(prev.config).toEqual({ minute: 5, hour: null, policy: 'local' });
    const next = validateEntity(plugins, { config: { hour: 100 } }, { mode: 'update', previous: prev, pluginSchemas });
    expect((next as { value: Record<string, any> }).value.config).toEqual({ minute: 5, hour: 100, policy: 'local' });
  });
});

describe('tags and names', () => {
  test.each([
    [['ok tag', 'ünïcode', 'a:b'], undefined],
    [['a,b'], ["invalid tag 'a,b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"]],
    [['x', 'a/b'], [null, "invalid tag 'a/b': expected printable ascii (except `,` and `/`) or valid utf-8 sequences"]],
    [[''], ['length must be at least 1']],
  ])('tags %j', (tags, error) => {
    const result = validateEntity(consumers, { username: 'u', tags }, { mode: 'insert' });
    if (error) expect(result).toEqual({ ok: false, fields: { tags: error } });
    else expect(result.ok).toBe(true);
  });

  test.each([
    ['my-svc_1.0~x', undefined],
    ['名前', undefined],
    ['has space', "invalid value 'has space': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ['a/b', "invalid value 'a/b': the only accepted ascii characters are alphanumerics or ., -, _, and ~"],
    ['ab\uD800', 'invalid utf-8 character sequence detected at position 3'],
  ])('utf8 name %j', (name, error) => {
    const result = validateEntity(services, { host: 'x.com', name }, { mode: 'insert' });
    if (error) expect(result).toEqual({ ok: false, fields: { name: error } });
    else expect(result.ok).toBe(true);
  });
});
