import { issueCertificate } from '@tollgate/pki';
import {
  declarativeId, flattenDeclarative, parseDeclarative, uuidV5, DeclarativeParseError, parseErrorBody, substituteDeckEnv, DeckEnvError,
} from './index';
import type { FlattenResult } from './flatten';
import { DECK_DUMP, TEST_PLUGIN_SCHEMAS, kongExample } from './test-fixtures';

const NOW = 1_700_000_000_000;
const flatten = (doc: unknown, flattenErrors = false, warnings?: string[]) =>
  flattenDeclarative(doc, { pluginSchemas: TEST_PLUGIN_SCHEMAS, now: NOW, flattenErrors, warnings });
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
  // Kong's on-the-fly migration (kong/db/declarative/migrations/route_path.lua + migrate_path_280_300.lua)
  it.each<[string, string]>([
    ['/plain/x-y_z.~%20', '/plain/x-y_z.~%20'],
    ['/a/./b/../c', '/a/c'],
    ['/%7Euser', '/~user'],
    ['/users/\\d+', '~/users/\\d+'],
    ['/(a|b)', '~/(a|b)'],
    ['~/already', '~/already'],
    ['/files/%2E%2A(\\d+)', '~/files/\\.%2A(\\d+)'],
    ['/q%3F(x)', '~/q%3F(x)'],
    ['/a%2d%5c(x)', '~/a\\-\\\\(x)'],
  ])('a 2.1 path %s reads as %s', (path, migrated) => {
    for (const version of ['1.1', '2.1']) {
      const snapshot = ok(flatten({ _format_version: version, services: [{ name: 's', host: 'a.test', routes: [{ name: 'n', paths: [path] }] }] }));
      expect(snapshot.routes[0].paths).toEqual([migrated]);
    }
  });

  it.each(['1.1', '2.1'])('migrates nested and top-level routes of a %s file, reports 3.0 and warns per changed path', (version) => {
    const warnings: string[] = [];
    const snapshot = ok(flatten({
      _format_version: version,
      services: [{ name: 's', host: 'a.test', routes: [{ name: 'n', paths: ['/plain', '/users/\\d+'] }] }],
      routes: [{ paths: ['/(a|b)'], service: 's' }, { name: 'u', paths: ['~/already'], service: 's' }],
    }, false, warnings));
    expect(snapshot._format_version).toBe('3.0');
    expect(warnings).toEqual([
      `_format_version ${version}: routes[1]: path '/(a|b)' read as '~/(a|b)' (regex paths start with '~' since 3.0)`,
      `_format_version ${version}: route 'n': path '/users/\\d+' read as '~/users/\\d+' (regex paths start with '~' since 3.0)`,
    ]);
  });

  it('keeps 3.0 paths as written', () => {
    const warnings: string[] = [];
    const snapshot = ok(flatten({ _format_version: '3.0', routes: [{ name: 'n', paths: ['/plain', '/users/\\d+'] }] }, false, warnings));
    expect(snapshot.routes[0].paths).toEqual(['/plain', '/users/\\d+']);
    expect(warnings).toEqual([]);
  });
});

describe('flattenDeclarative: annotations and decK metadata', () => {
  it('accepts _comment and _ignore on the file and on every entity, nested ones included, and drops them', () => {
    const annotated = ok(flatten({
      _format_version: '3.0', _comment: 'file', _ignore: [{ anything: 1 }],
      services: [{
        _comment: 'svc', _ignore: ['x'], name: 's', host: 'a.test',
        routes: [{ _comment: 'r', name: 'r', paths: ['/'], plugins: [{ _comment: 'p', _ignore: [], name: 'key-auth' }] }],
      }],
      consumers: [{ _comment: 'c', username: 'u', keyauth_credentials: [{ _comment: 'k', key: 'k1' }], acls: [{ _ignore: [1], group: 'g' }] }],
    }));
    const plain = ok(flatten({
      _format_version: '3.0',
      services: [{ name: 's', host: 'a.test', routes: [{ name: 'r', paths: ['/'], plugins: [{ name: 'key-auth' }] }] }],
      consumers: [{ username: 'u', keyauth_credentials: [{ key: 'k1' }], acls: [{ group: 'g' }] }],
    }));
    expect(annotated).toEqual(plain);
  });

  it.each<[string, unknown, Record<string, unknown>]>([
    ['_comment not a string on an entity', { _format_version: '3.0', services: [{ host: 'a.test', _comment: 5 }] }, { services: [{ _comment: 'expected a string' }] }],
    ['_ignore not an array on the file', { _format_version: '3.0', _ignore: 'x' }, { _ignore: 'expected an array' }],
    ['_info not a record', { _format_version: '3.0', _info: 'x' }, { _info: 'expected a record' }],
    ['_info with an unknown key', { _format_version: '3.0', _info: { nope: 1 } }, { _info: { nope: 'unknown field' } }],
    ['select_tags not strings', { _format_version: '3.0', _info: { select_tags: [1] } }, { _info: { select_tags: 'expected an array of strings' } }],
    ['defaults for an entity decK has none for', { _format_version: '3.0', _info: { defaults: { consumer: {} } } }, { _info: { defaults: { consumer: 'unknown field' } } }],
    ['defaults that break an entity', { _format_version: '3.0', _info: { defaults: { service: { port: 'x' } } }, services: [{ host: 'a.test' }] },
      { services: [{ port: 'expected an integer' }] }],
  ])('refuses %s', (_label, doc, fields) => {
    expect(fail(flatten(doc)).fields).toEqual(fields);
  });

  it('applies _info.select_tags to every entity that has tags, and _info.defaults to the fields an entity leaves out', () => {
    const warnings: string[] = [];
    const snapshot = ok(flatten({
      _format_version: '3.0',
      _info: {
        select_tags: ['team-a', 'deck'],
        defaults: { service: { port: 8080, protocol: 'https', read_timeout: 5000 }, route: { strip_path: false }, upstream: { slots: 100 }, target: { weight: 7 } },
      },
      services: [
        { name: 's', host: 'a.test', tags: ['mine', 'deck'], routes: [{ name: 'r', paths: ['/'], strip_path: true }, { name: 'r2', paths: ['/2'] }] },
        { name: 'u', url: 'http://b.test/x' },
      ],
      upstreams: [{ name: 'up', targets: [{ target: '10.0.0.1:80' }] }],
      consumers: [{ username: 'c' }],
    }, false, warnings));
    const byName = (rows: Array<Record<string, unknown>>) => Object.fromEntries(rows.map((r) => [r.name ?? r.username ?? r.target, r]));
    const services = byName(snapshot.services);
    expect(services.s).toMatchObject({ port: 8080, protocol: 'https', read_timeout: 5000, tags: ['mine', 'deck', 'team-a'] });
    // a url decides protocol, host, port and path; the other defaults still apply
    expect(services.u).toMatchObject({ port: 80, protocol: 'http', path: '/x', read_timeout: 5000, tags: ['team-a', 'deck'] });
    const routes = byName(snapshot.routes);
    expect(routes.r.strip_path).toBe(true);
    expect(routes.r2.strip_path).toBe(false);
    expect(snapshot.upstreams[0]).toMatchObject({ slots: 100, tags: ['team-a', 'deck'] });
    expect(snapshot.targets[0]).toMatchObject({ weight: 7, tags: ['team-a', 'deck'] });
    expect(snapshot.consumers[0].tags).toEqual(['team-a', 'deck']);
    expect(warnings).toEqual([]);
  });

  it('ignores _workspace, _konnect and _info.default_lookup_tags with a warning each', () => {
    const warnings: string[] = [];
    const snapshot = ok(flatten({
      _format_version: '3.0', _workspace: 'team-a', _konnect: { control_plane_name: 'cp' },
      _info: { default_lookup_tags: { services: ['x'] } }, services: [{ name: 's', host: 'a.test' }],
    }, false, warnings));
    expect(snapshot.services).toHaveLength(1);
    expect(warnings).toEqual([
      '_info.default_lookup_tags ignored: every entity a file references must be declared in it',
      "_workspace 'team-a' ignored: Tollgate has one workspace, the entities are imported into it",
      '_konnect ignored: it names a Konnect control plane, not this gateway',
    ]);
  });

  it('reads a decK dump of a Kong 3.x database', () => {
    const dump = parseDeclarative(DECK_DUMP);
    const snapshot = ok(flatten(dump));
    expect(Object.fromEntries(Object.entries(snapshot).filter(([k]) => k !== '_format_version').map(([k, v]) => [k, (v as unknown[]).length]))).toEqual({
      services: 1, routes: 1, consumers: 1, plugins: 3, upstreams: 1, targets: 1, keyauth_credentials: 1, acls: 1,
    });
    expect(snapshot.services[0]).toMatchObject({ name: 'orders', tags: ['orders-team'] });
    expect(snapshot.plugins.find((p) => p.name === 'key-auth')).toMatchObject({ route: { id: snapshot.routes[0].id }, config: { key_names: ['apikey'] } });
  });
});

describe('flattenDeclarative: what the database would refuse', () => {
  it.each<[string, unknown, Record<string, unknown>]>([
    ['the same plugin twice on one service (nested and top-level)',
      { _format_version: '3.0', services: [{ name: 's1', host: 'a.test', plugins: [{ name: 'key-auth' }] }], plugins: [{ name: 'key-auth', service: 's1' }] },
      { plugins: { [declarativeId('plugins', 'plugins:*:key-auth::s1:')]:
        `uniqueness violation: 'plugins' entity with (name, route, service, consumer) set to '(key-auth, null, ${declarativeId('services', 's1')}, null)' already declared` } }],
    ['the same global plugin twice under different ids',
      { _format_version: '3.0', plugins: [{ id: 'a1d5f0f4-4e77-4a40-9c0e-2bd0d4b6c1a1', name: 'prometheus' }, { id: 'b1d5f0f4-4e77-4a40-9c0e-2bd0d4b6c1a1', name: 'prometheus' }] },
      { plugins: { 'b1d5f0f4-4e77-4a40-9c0e-2bd0d4b6c1a1': "uniqueness violation: 'plugins' entity with (name, route, service, consumer) set to '(prometheus, null, null, null)' already declared" } }],
    ['the same target twice in one upstream',
      { _format_version: '3.0', upstreams: [{ name: 'u', targets: [{ target: '10.0.0.1:80' }] }], targets: [{ id: 'c1d5f0f4-4e77-4a40-9c0e-2bd0d4b6c1a1', upstream: 'u', target: '10.0.0.1:80' }] },
      { targets: { '10.0.0.1:80':
        `uniqueness violation: 'targets' entity with (upstream, target) set to '(${declarativeId('upstreams', 'u')}, 10.0.0.1:80)' already declared` } }],
  ])('%s', (_label, doc, fields) => {
    expect(fail(flatten(doc)).fields).toEqual(fields);
  });

  it('the same plugin on two services is fine', () => {
    ok(flatten({ _format_version: '3.0', services: [
      { name: 's1', host: 'a.test', plugins: [{ name: 'key-auth' }] }, { name: 's2', host: 'a.test', plugins: [{ name: 'key-auth' }] },
    ] }));
  });
});

describe('flattenDeclarative: vault references', () => {
  it('keeps {vault://...} references as written for the data plane to resolve', () => {
    const snapshot = ok(flatten({ _format_version: '3.0', consumers: [{ username: 'u', keyauth_credentials: [{ key: '{vault://env/alice-key}' }] }] }));
    expect(snapshot.keyauth_credentials[0].key).toBe('{vault://env/alice-key}');
  });
});

describe('flattenDeclarative: annotations', () => {
  it('accepts _comment and _ignore on entity records, as Kong, and stores neither', () => {
    const snapshot = ok(flatten({
      _format_version: '2.1',
      services: [{ name: 's', host: 'a.test', _comment: 'why this service', _ignore: [{ any: 1 }], routes: [{ name: 'r', paths: ['/r'], _comment: 'nested too' }] }],
    }));
    expect(snapshot.services[0]).not.toHaveProperty('_comment');
    expect(snapshot.services[0]).not.toHaveProperty('_ignore');
    expect(snapshot.routes[0]).not.toHaveProperty('_comment');
  });

  it('refuses a _comment that is not a string', () => {
    expect(fail(flatten({ _format_version: '3.0', services: [{ name: 's', host: 'a.test', _comment: 7 }] })).fields).toEqual({ services: [{ _comment: 'expected a string' }] });
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
  it.each<[string, string, unknown]>([
    ['merge keys and anchors', 'base: &b {port: 8080, retries: 2}\nservices:\n- <<: *b\n  host: a\n  retries: 3\n',
      { base: { port: 8080, retries: 2 }, services: [{ port: 8080, retries: 3, host: 'a' }] }],
    ['several merged mappings', 'a: &a {x: 1}\nb: &b {y: 2}\nc:\n  <<: [*a, *b]\n', { a: { x: 1 }, b: { y: 2 }, c: { x: 1, y: 2 } }],
    ['YAML 1.1 booleans as libyaml reads them', 'a: yes\nb: No\nc: on\nd: OFF\ne: true\nf: y\ng: n\n',
      { a: true, b: false, c: true, d: false, e: true, f: 'y', g: 'n' }],
    ['no timestamps: dates stay strings', 'd: 2001-12-14\n', { d: '2001-12-14' }],
    ['YAML 1.1 octal', 'mode: 0755\n', { mode: 493 }],
  ])('reads %s as Kong does', (_label, text, value) => {
    expect(parseDeclarative(text)).toEqual(value);
  });

  it('keeps the last value of a repeated key and warns where', () => {
    const warnings: string[] = [];
    expect(parseDeclarative('services:\n- name: a\n  host: x\n  name: b\n', { fileName: 'kong.yml', warnings })).toEqual({ services: [{ name: 'b', host: 'x' }] });
    expect(warnings).toEqual(["duplicate key 'name' (kong.yml:line 4, column 3): the last value is used"]);
  });

  it('reads YAML and JSON alike', () => {
    expect(parseDeclarative('_format_version: "3.0"\nservices: []\n')).toEqual({ _format_version: '3.0', services: [] });
    expect(parseDeclarative('{"_format_version":"3.0"}')).toEqual({ _format_version: '3.0' });
  });

  it.each([
    ['_format_version: "3.0"\nservices:\n  - name: a\n   host: b\n', 4, 'kong.yml'],
    ['{"_format_version": "3.0",\n "services": [}', 2, 'kong.json'],
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

describe('substituteDeckEnv', () => {
  const env = { DECK_HOST: 'api.internal', DECK_PORT: '8443', DECK_ON: '1', DECK_PEM: 'a\nb', OTHER: 'x' };
  it.each<[string, string]>([
    ['host: ${{ env "DECK_HOST" }}', 'host: api.internal'],
    ['port: ${{ env "DECK_PORT" | toInt }}', 'port: 8443'],
    ['on: ${{env "DECK_ON" | toBool}}', 'on: true'],
    ['pem: |\n  ${{ env "DECK_PEM" | indent 2 }}', 'pem: |\n  a\n  b'],
    ['key: {vault://env/secret}', 'key: {vault://env/secret}'],
  ])('%s', (text, out) => {
    expect(substituteDeckEnv(text, env)).toBe(out);
  });

  it.each<[string, string]>([
    ['${{ env "OTHER" }}', "environment variables in the state file must be prefixed with 'DECK_', found: 'OTHER'"],
    ['${{ env "DECK_MISSING" }}', "environment variable 'DECK_MISSING' present in state file but not set"],
    ['${{ env "DECK_HOST" | toInt }}', "toInt: invalid syntax: 'api.internal'"],
    ['${{ .Values.x }}', "unsupported template '${{ .Values.x }}': expected env \"DECK_NAME\""],
  ])('refuses %s', (text, message) => {
    expect(() => substituteDeckEnv(text, env)).toThrow(new DeckEnvError(message));
  });
});
