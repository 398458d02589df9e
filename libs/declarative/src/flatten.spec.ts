import { issueCertificate } from '@tollgate/pki';
import { declarativeId, flattenDeclarative, parseDeclarative, uuidV5, DeclarativeParseError, parseErrorBody } from './index';
import type { FlattenResult } from './flatten';
import { TEST_PLUGIN_SCHEMAS, kongExample } from './test-fixtures';

const NOW = 1_700_000_000_000;
const flatten = (doc: unknown, flattenErrors = false) =>
  flattenDeclarative(doc, { pluginSchemas: TEST_PLUGIN_SCHEMAS, now: NOW, flattenErrors });
const ok = (result: FlattenResult) => {
  if (!result.ok) throw new Error(JSON.stringify(result.error));
  return result.snapshot as unknown as Record<string, Array<Record<string, unknown>>>;
};
const fail = (result: FlattenResult) => {
  if (result.ok) throw new Error('expected a failure');
  return result.error;
};

describe('uuidV5', () => {
  it('matches the RFC 4122 vector', () => {
    expect(uuidV5('www.example.com', '6ba7b810-9dad-11d1-80b4-00c04fd430c8')).toBe('2ed6657d-e927-568b-95e1-2665a8aea6a2');
  });
  it('derives the namespace from the entity name', () => {
    const ns = uuidV5('services', 'fd02801f-0957-4a15-a55a-c8d9606f30b5');
    expect(declarativeId('services', 'example-service')).toBe(uuidV5('example-service', ns));
  });
});

describe('flattenDeclarative: the §8.1 example', () => {
  const pair = issueCertificate({ commonName: 'example.test', keyBits: 1024 });
  const text = kongExample(pair.cert, pair.key);
  const snapshot = ok(flatten(parseDeclarative(text)));

  it('gives the same ids for the same file', () => {
    expect(ok(flatten(parseDeclarative(text)))).toEqual(snapshot);
  });

  it('names entities from endpoint and cache keys', () => {
    const service = snapshot.services[0];
    const route = snapshot.routes[0];
    expect(service.id).toBe(declarativeId('services', 'example-service'));
    expect(route.id).toBe(declarativeId('routes', 'example-route'));
    expect(snapshot.consumers[0].id).toBe(declarativeId('consumers', 'alice'));
    expect(snapshot.upstreams[0].id).toBe(declarativeId('upstreams', 'my-upstream'));
    expect(snapshot.snis[0].id).toBe(declarativeId('snis', 'example.test'));
    const upstreamId = snapshot.upstreams[0].id as string;
    expect(snapshot.targets[0].id).toBe(declarativeId('targets', `targets:*:${upstreamId}:10.0.0.1:8080`));
    const byName = new Map(snapshot.plugins.map((p) => [p.name, p]));
    expect(byName.get('key-auth')!.id).toBe(declarativeId('plugins', `plugins:*:key-auth:${route.id}::`));
    expect(byName.get('rate-limiting')!.id).toBe(declarativeId('plugins', `plugins:*:rate-limiting::${service.id}:`));
    expect(byName.get('prometheus')!.id).toBe(declarativeId('plugins', 'plugins:*:prometheus:::'));
    expect(snapshot.basicauth_credentials[0].id).toBe(declarativeId('basicauth_credentials', 'basicauth_credentials:*:alice'));
  });

  it('fills every field in Admin API shape', () => {
    expect(snapshot.services[0]).toEqual({
      id: declarativeId('services', 'example-service'), created_at: 1_700_000_000, updated_at: 1_700_000_000,
      name: 'example-service', retries: 5, protocol: 'http', host: 'httpbin.konghq.com', port: 80, path: null,
      connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, tags: ['demo'], client_certificate: null,
      tls_verify: null, tls_verify_depth: null, ca_certificates: null, enabled: true,
    });
    expect(snapshot.routes[0].service).toEqual({ id: snapshot.services[0].id });
    expect(snapshot.plugins.find((p) => p.name === 'rate-limiting')).toMatchObject({
      service: { id: snapshot.services[0].id }, route: null, consumer: null, config: { minute: 5, policy: 'local' },
      protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true, instance_name: null,
    });
    expect(snapshot.certificates[0].snis).toEqual(['example.test']);
    expect(snapshot.targets[0]).toMatchObject({ created_at: 1_700_000_000, weight: 100, upstream: { id: snapshot.upstreams[0].id } });
    expect(snapshot.keyauth_credentials[0]).toMatchObject({ key: 'alice-key', consumer: { id: snapshot.consumers[0].id }, ttl: null });
    expect(snapshot.acls[0]).toMatchObject({ group: 'admins', consumer: { id: snapshot.consumers[0].id } });
  });

  it('hashes basic-auth passwords when _transform is true, and not when false', () => {
    const consumerId = snapshot.consumers[0].id as string;
    const hashed = require('node:crypto').createHash('sha1').update('s3cret' + consumerId).digest('hex');
    expect(snapshot.basicauth_credentials[0].password).toBe(hashed);
    const raw = ok(flatten({ _format_version: '3.0', _transform: false, consumers: [{ username: 'a', basicauth_credentials: [{ username: 'a', password: 'p' }] }] }));
    expect(raw.basicauth_credentials[0].password).toBe('p');
  });
});

describe('flattenDeclarative: references', () => {
  const nested = {
    _format_version: '3.0',
    services: [{ name: 's1', host: 'a.test', routes: [{ name: 'r1', paths: ['/a'], plugins: [{ name: 'key-auth' }] }] }],
  };
  const expected = ok(flatten(nested));

  it.each([
    ['by name', 's1', 'r1'],
    ['by id', declarativeId('services', 's1'), declarativeId('routes', 'r1')],
    ['by {id}', { id: declarativeId('services', 's1') }, { id: declarativeId('routes', 'r1') }],
  ])('a top-level child referencing its parent %s flattens like the nested form', (_label, service, route) => {
    const top = ok(flatten({
      _format_version: '3.0',
      services: [{ name: 's1', host: 'a.test' }],
      routes: [{ name: 'r1', paths: ['/a'], service }],
      plugins: [{ name: 'key-auth', route, id: expected.plugins[0].id }],
    }));
    expect(top).toEqual(expected);
  });

  it('nested children inherit the parent even when they name another one', () => {
    const snapshot = ok(flatten({ _format_version: '3.0', services: [{ name: 's1', host: 'a.test', routes: [{ paths: ['/'], service: 'elsewhere' }] }] }));
    expect(snapshot.routes[0].service).toEqual({ id: declarativeId('services', 's1') });
  });

  it('gives entities without keys the same content-derived id on every load', () => {
    const doc = { _format_version: '3.0', services: [{ host: 'a.test' }, { host: 'a.test' }] };
    const first = ok(flatten(doc)).services.map((s) => s.id);
    expect(new Set(first).size).toBe(2);
    expect(ok(flatten(doc)).services.map((s) => s.id)).toEqual(first);
  });
});

describe('flattenDeclarative: format versions', () => {
  it.each(['1.1', '2.1'])('migrates regex paths of a %s file and reports 3.0', (version) => {
    const snapshot = ok(flatten({
      _format_version: version,
      services: [{ name: 's', host: 'a.test', routes: [{ name: 'n', paths: ['/plain/x-y_z.~%20', '/users/\\d+'] }] }],
      routes: [{ name: 't', paths: ['/(a|b)'], service: 's' }, { name: 'u', paths: ['~/already'], service: 's' }],
    }));
    expect(snapshot._format_version).toBe('3.0');
    const paths = Object.fromEntries(snapshot.routes.map((r) => [r.name, r.paths]));
    expect(paths).toEqual({ n: ['/plain/x-y_z.~%20', '~/users/\\d+'], t: ['~/(a|b)'], u: ['~/already'] });
  });

  it('keeps 3.0 paths as written', () => {
    const snapshot = ok(flatten({ _format_version: '3.0', routes: [{ name: 'n', paths: ['/plain'] }] }));
    expect(snapshot.routes[0].paths).toEqual(['/plain']);
  });
});

describe('flattenDeclarative: errors (code 14)', () => {
  const S1 = declarativeId('services', 's1');
  it.each<[string, unknown, Record<string, unknown>, string]>([
    ['not an object', 'x', { error: 'failed parsing declarative configuration: expected an object' },
      'declarative config is invalid: {error="failed parsing declarative configuration: expected an object"}'],
    ['missing version', {}, { _format_version: 'required field missing' },
      'declarative config is invalid: {_format_version="required field missing"}'],
    ['bad version', { _format_version: '4.0' }, { _format_version: 'expected one of: 1.1, 2.1, 3.0' },
      'declarative config is invalid: {_format_version="expected one of: 1.1, 2.1, 3.0"}'],
    ['unknown key', { _format_version: '3.0', _comment: 'ok', _ignore: [1], abnormal_extra_field: 1 }, { abnormal_extra_field: 'unknown field' },
      'declarative config is invalid: {abnormal_extra_field="unknown field"}'],
    ['schema errors of every bad entity', { _format_version: '3.0', services: [{ name: 'ok', host: 'a.test' }, { port: 70000 }, { host: 'b.test', protocol: 'tcp', path: '/x' }] },
      { services: [null, { host: 'required field missing', port: 'value should be between 0 and 65535' },
        { '@entity': ["failed conditional validation given value of field 'protocol'"], path: 'value must be null' }] },
      'declarative config is invalid: {services={[2]={host="required field missing",port="value should be between 0 and 65535"},[3]={["@entity"]={"failed conditional validation given value of field \'protocol\'"},path="value must be null"}}}'],
    ['nested schema errors', { _format_version: '3.0', services: [{ host: 'a.test', routes: [{ paths: ['/'] }, { protocols: ['http'] }] }] },
      { services: [{ routes: [null, { '@entity': ["must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"] }] }] },
      'declarative config is invalid: {services={{routes={[2]={["@entity"]={"must set one of \'methods\', \'hosts\', \'headers\', \'paths\' when \'protocols\' is \'http\'"}}}}}}'],
    ['duplicate endpoint key', { _format_version: '3.0', services: [{ name: 'foo', host: 'a.test' }, { name: 'foo', host: 'b.test' }] },
      { services: [null, "uniqueness violation: 'services' entity with name set to 'foo' already declared"] },
      'declarative config is invalid: {services={[2]="uniqueness violation: \'services\' entity with name set to \'foo\' already declared"}}'],
    ['duplicate primary key', { _format_version: '3.0', services: [{ id: S1, host: 'a.test' }, { id: S1, host: 'b.test' }] },
      { services: [null, `uniqueness violation: 'services' entity with primary key set to '${S1}' already declared`] },
      `declarative config is invalid: {services={[2]="uniqueness violation: 'services' entity with primary key set to '${S1}' already declared"}}`],
    ['duplicate unique field', { _format_version: '3.0', consumers: [{ username: 'a', custom_id: 'conflict' }, { username: 'b', custom_id: 'conflict' }] },
      { consumers: { b: "uniqueness violation: 'consumers' entity with custom_id set to 'conflict' already declared" } },
      'declarative config is invalid: {consumers={b="uniqueness violation: \'consumers\' entity with custom_id set to \'conflict\' already declared"}}'],
    ['unresolved reference', { _format_version: '3.0', routes: [{ name: 'r', paths: ['/'], service: 'nope' }] },
      { routes: { r: ["invalid reference 'service: nope' (no such entry in 'services')"] } },
      'declarative config is invalid: {routes={r={"invalid reference \'service: nope\' (no such entry in \'services\')"}}}'],
    ['collection not an array', { _format_version: '3.0', services: { name: 'x' } }, { services: 'expected an array' },
      'declarative config is invalid: {services="expected an array"}'],
    ['plugin not enabled', { _format_version: '3.0', plugins: [{ name: 'nope' }] },
      { plugins: [{ name: "plugin 'nope' not enabled; add it to the 'plugins' configuration property" }] },
      'declarative config is invalid: {plugins={{name="plugin \'nope\' not enabled; add it to the \'plugins\' configuration property"}}}'],
  ])('%s', (_label, doc, fields, message) => {
    expect(fail(flatten(doc))).toEqual({ code: 14, name: 'invalid declarative configuration', message, fields });
  });

  it('with flatten_errors lists one item per bad entity and keeps only non-entity errors in fields', () => {
    const error = fail(flatten({
      _format_version: '3.0',
      abnormal_extra_field: 1,
      services: [{ name: 'my-svc', tags: ['t1'], host: 'a.test', protocol: 'tcp', path: '/x', routes: [{ name: 'r', protocols: ['http'] }] }],
    }, true));
    expect(error.fields).toEqual({ abnormal_extra_field: 'unknown field' });
    expect(error.message).toContain('declarative config is invalid: {abnormal_extra_field="unknown field",services=');
    expect(error.flattened_errors).toEqual([
      {
        entity_type: 'service', entity_name: 'my-svc', entity_id: declarativeId('services', 'my-svc'), entity_tags: ['t1'],
        entity: { id: declarativeId('services', 'my-svc'), name: 'my-svc', tags: ['t1'], host: 'a.test', protocol: 'tcp', path: '/x' },
        errors: [
          { type: 'entity', message: "failed conditional validation given value of field 'protocol'" },
          { type: 'field', field: 'path', message: 'value must be null' },
        ],
      },
      {
        entity_type: 'route', entity_name: 'r', entity_id: declarativeId('routes', 'r'),
        entity: { id: declarativeId('routes', 'r'), name: 'r', protocols: ['http'], service: { id: declarativeId('services', 'my-svc') } },
        errors: [{ type: 'entity', message: "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'" }],
      },
    ]);
  });
});

describe('parseDeclarative', () => {
  it('reads YAML and JSON alike', () => {
    expect(parseDeclarative('_format_version: "3.0"\nservices: []\n')).toEqual({ _format_version: '3.0', services: [] });
    expect(parseDeclarative('{"_format_version":"3.0"}')).toEqual({ _format_version: '3.0' });
  });

  it.each([
    ['_format_version: "3.0"\nservices:\n  - name: a\n   host: b\n', 4, 'kong.yml'],
    ['{"_format_version": "3.0",\n "services": [}', 2, 'kong.json'],
    ['a: 1\na: 2\n', 2, 'dup.yml'],
  ])('names line and column of a syntax error (%#)', (text, line, fileName) => {
    let caught: unknown;
    try {
      parseDeclarative(text, { fileName });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DeclarativeParseError);
    const error = caught as DeclarativeParseError;
    expect(error.line).toBe(line);
    expect(error.message).toMatch(new RegExp(`^failed parsing declarative configuration: .*\\(${fileName.replace('.', '\\.')}:line ${line}, column \\d+\\)$`));
    expect(parseErrorBody(error)).toEqual({
      code: 14, name: 'invalid declarative configuration', fields: { error: error.message },
      message: `declarative config is invalid: {error=${JSON.stringify(error.message)}}`,
    });
  });
});
