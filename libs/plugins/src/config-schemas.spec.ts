// Config validation of every bundled plugin with Kong's messages: through validatePluginConfig (plugin-level
// checks included) and through libs/schema's plugins entity, as the Admin API validates writes.
import { plugins as pluginsEntity, validateEntity } from '@tollgate/schema';
import { PLUGIN_SCHEMAS } from './index';
import { validatePluginConfig } from './validate-config';

const invalid = (name: string, config: unknown) => {
  const r = validatePluginConfig(PLUGIN_SCHEMAS, name, config);
  if (r.ok) throw new Error('expected errors');
  return r.fields;
};

describe('bundled plugin config schemas', () => {
  it.each([
    ['key-auth', { key_names: ['in valid'] }, { config: { key_names: ['bad header name \'in valid\', allowed characters are A-Z, a-z, 0-9, \'_\', and \'-\''] } }],
    ['key-auth', { hide_credentials: 'yes' }, { config: { hide_credentials: 'expected a boolean' } }],
    ['key-auth', { nope: 1 }, { config: { nope: 'unknown field' } }],
    // Kong's is_regex message, the same on every plugin with pattern fields
    ['ai-prompt-guard', { deny_patterns: ['ok', '(unclosed'] }, { config: { deny_patterns: [null, 'not a valid regex: (unclosed'] } }],
    ['bot-detection', { allow: ['[z-a]'] }, { config: { allow: ['not a valid regex: [z-a]'] } }],
    ['jwt', { claims_to_verify: ['iat'] }, { config: { claims_to_verify: ['expected one of: exp, nbf'] } }],
    ['jwt', { maximum_expiration: -1 }, { config: { maximum_expiration: 'value should be between 0 and 31536000' } }],
    // Kong's only_one_of fails with none set as well ("exactly one"), before at_least_one_of
    ['acl', {}, { '@entity': ["exactly one of these fields must be non-empty: 'config.allow', 'config.deny'", "at least one of these fields must be non-empty: 'config.allow', 'config.deny'"] }],
    ['acl', { allow: ['a'], deny: ['b'] }, { '@entity': ["exactly one of these fields must be non-empty: 'config.allow', 'config.deny'"] }],
    ['jwt', { maximum_expiration: 60, claims_to_verify: ['nbf'] }, {
      config: { claims_to_verify: 'expected to contain: exp' }, '@entity': ["failed conditional validation given value of field 'config.maximum_expiration'"],
    }],
    ['ip-restriction', {}, { '@entity': ["at least one of these fields must be non-empty: 'config.allow', 'config.deny'"] }],
    ['ip-restriction', { allow: ['10.0.0.300'] }, { config: { allow: ['invalid ip or cidr range: \'10.0.0.300\''] } }],
    ['rate-limiting', {}, { '@entity': ["at least one of these fields must be non-empty: 'config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'"] }],
    ['rate-limiting', { minute: 0 }, { config: { minute: 'value must be greater than 0' } }],
    ['rate-limiting', { minute: 10, hour: 5 }, { config: 'The limit for hour(5.0) cannot be lower than the limit for minute(10.0)' }],
    ['rate-limiting', { minute: 1, policy: 'memcached' }, { config: { policy: 'expected one of: local, cluster, redis' } }],
    ['rate-limiting', { minute: 1, policy: 'redis' }, { config: { redis: { host: 'required field missing' } }, '@entity': ["failed conditional validation given value of field 'config.policy'"] }],
    ['rate-limiting', { minute: 1, limit_by: 'header' }, { config: { header_name: 'required field missing' }, '@entity': ["failed conditional validation given value of field 'config.limit_by'"] }],
    ['request-size-limiting', { size_unit: 'gigabytes' }, { config: { size_unit: 'expected one of: megabytes, kilobytes, bytes' } }],
    ['request-termination', { status_code: 99 }, { config: { status_code: 'value should be between 100 and 599' } }],
    ['request-termination', { message: 'm', body: 'b' }, { config: 'message cannot be used with content_type or body' }],
    ['cors', { methods: ['FETCH'] }, { config: { methods: ['expected one of: GET, HEAD, PUT, PATCH, POST, DELETE, OPTIONS, TRACE, CONNECT'] } }],
    ['correlation-id', { generator: 'random' }, { config: { generator: 'expected one of: uuid, uuid#counter, tracker' } }],
    ['request-transformer', { add: { headers: ['no-colon'] } }, { config: { add: { headers: ['invalid value: no-colon'] } } }],
    ['response-transformer', { add: { json_types: ['object'] } }, { config: { add: { json_types: ['expected one of: boolean, number, string'] } } }],
    ['http-log', {}, { config: { http_endpoint: 'required field missing' } }],
    ['http-log', { http_endpoint: 'http://x', method: 'GET' }, { config: { method: 'expected one of: POST, PUT, PATCH' } }],
    ['file-log', { path: 'a*b' }, { config: { path: 'not a valid filename' } }],
  ])('%s %j', (name, config, errors) => {
    expect(invalid(name, config)).toEqual(errors);
  });

  it.each([
    ['key-auth', { key_names: ['apikey'], hide_credentials: false, anonymous: null, key_in_header: true, key_in_query: true, key_in_body: false, run_on_preflight: true, realm: null }],
    ['basic-auth', { anonymous: null, hide_credentials: false, realm: 'service' }],
    ['request-size-limiting', { allowed_payload_size: 128, size_unit: 'megabytes', require_content_length: false }],
    ['correlation-id', { header_name: 'Kong-Request-ID', generator: 'uuid#counter', echo_downstream: false }],
  ])('%s defaults', (name, expected) => {
    const r = validatePluginConfig(PLUGIN_SCHEMAS, name, {});
    expect(r.ok && r.value).toEqual(expected);
  });

  it('rate-limiting defaults include the redis record', () => {
    const r = validatePluginConfig(PLUGIN_SCHEMAS, 'rate-limiting', { minute: 5 });
    if (!r.ok) throw new Error(JSON.stringify(r.fields));
    expect(r.value).toMatchObject({ minute: 5, limit_by: 'consumer', policy: 'local', fault_tolerant: true, hide_client_headers: false, error_code: 429, error_message: 'API rate limit exceeded', sync_rate: -1 });
    expect(r.value.redis).toMatchObject({ host: null, port: 6379, timeout: 2000, database: 0, ssl: false, ssl_verify: false });
  });

  it('the plugins entity validates config through PLUGIN_SCHEMAS (Admin API path)', () => {
    const bad = validateEntity(pluginsEntity, { name: 'key-auth', config: { key_in_body: 3 } }, { mode: 'insert', pluginSchemas: PLUGIN_SCHEMAS });
    expect(bad).toEqual({ ok: false, fields: { config: { key_in_body: 'expected a boolean' } } });
    const unknown = validateEntity(pluginsEntity, { name: 'nope' }, { mode: 'insert', pluginSchemas: PLUGIN_SCHEMAS });
    expect(unknown).toEqual({ ok: false, fields: { name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" } });
    const ok = validateEntity(pluginsEntity, { name: 'cors' }, { mode: 'insert', pluginSchemas: PLUGIN_SCHEMAS });
    expect(ok.ok && (ok.value.config as Record<string, unknown>).credentials).toBe(false);
  });
});
