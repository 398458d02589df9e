import Ajv from 'ajv';
import {
  ENTITIES, NESTED_PATHS, certificates, plugins, routes, services, toKongPluginSubschemaJson, toKongSchemaJson, toOpenApiSchema,
  toOutput, splitTransient, validateEntity, FieldDef,
} from './index';

describe('ENTITIES and NESTED_PATHS', () => {
  test('every entity with its admin path', () => {
    expect([...ENTITIES.values()].map((s) => `${s.name} ${s.adminPath}`)).toEqual([
      'certificates /certificates', 'ca_certificates /ca_certificates', 'snis /snis', 'services /services', 'routes /routes',
      'consumers /consumers', 'upstreams /upstreams', 'targets /targets', 'plugins /plugins', 'keyauth_credentials /key-auths',
      'basicauth_credentials /basic-auths', 'jwt_secrets /jwts', 'acls /acls',
      'hmacauth_credentials /hmac-auths', 'oauth2_credentials /oauth2', 'oauth2_authorization_codes /oauth2_authorization_codes',
      'oauth2_tokens /oauth2_tokens', 'sessions /sessions', 'session_metadatas /session_metadatas',
      'vaults /vaults', 'key_sets /key-sets', 'keys /keys', 'acme_storage /acme_storage',
    ]);
  });

  test('nested paths as Kong lays them out', () => {
    const paths = NESTED_PATHS.filter((p) => !p.disabled).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining([
      '/services/{services}/routes', '/routes/{routes}/service', '/services/{services}/plugins', '/routes/{routes}/plugins',
      '/consumers/{consumers}/plugins', '/plugins/{plugins}/route', '/plugins/{plugins}/service', '/plugins/{plugins}/consumer',
      '/upstreams/{upstreams}/targets', '/certificates/{certificates}/snis', '/certificates/{certificates}/services',
      '/services/{services}/client_certificate', '/certificates/{certificates}/upstreams', '/upstreams/{upstreams}/client_certificate',
      '/consumers/{consumers}/key-auth', '/consumers/{consumers}/basic-auth', '/consumers/{consumers}/jwt', '/consumers/{consumers}/acls',
      '/key-auths/{keyauth_credentials}/consumer',
    ]));
    expect(NESTED_PATHS.filter((p) => p.disabled).map((p) => p.path)).toEqual(['/snis/{snis}/certificate', '/targets/{targets}/upstream']);
    expect(NESTED_PATHS.find((p) => p.path === '/services/{services}/routes')).toEqual({
      kind: 'children', parent: 'services', child: 'routes', field: 'service', segment: 'routes', path: '/services/{services}/routes',
    });
  });
});

describe('every field of every entity is documented', () => {
  const walk = (def: FieldDef, where: string, out: string[]) => {
    if (!def.description) out.push(`${where}: description`);
    if (def.example === undefined) out.push(`${where}: example`);
    if (def.type === 'record' && !def.resolveFields) for (const [n, d] of def.fields ?? []) walk(d, `${where}.${n}`, out);
  };
  test.each([...ENTITIES.keys()])('%s', (name) => {
    const missing: string[] = [];
    for (const [field, def] of ENTITIES.get(name)!.fields) walk(def, field, missing);
    expect(missing).toEqual([]);
  });
});

describe('toOutput', () => {
  test('every field, foreign keys as {id}, nulls for unset, writeOnly and unset transient fields omitted', () => {
    const out = toOutput(routes, { id: 'x', paths: ['/'], service: { id: 's', name: 'n' } });
    expect(Object.keys(out)).toEqual(routes.fields.map(([n]) => n));
    expect(out.service).toEqual({ id: 's' });
    expect(out.hosts).toBeNull();
    expect('snis' in toOutput(certificates, { id: 'c' })).toBe(false);
    expect(toOutput(certificates, { id: 'c', snis: [] }).snis).toEqual([]);
    expect(splitTransient(certificates, { id: 'c', snis: ['a'] })).toEqual({ row: { id: 'c' }, transient: { snis: ['a'] } });
  });
});

describe('toOpenApiSchema', () => {
  const ajv = new Ajv({ strict: false });
  test('a validated service matches the response schema; a bad one does not', () => {
    const schema = toOpenApiSchema(services, { mode: 'response' });
    const value = (validateEntity(services, { url: 'http://a.test/x' }, { mode: 'insert' }) as { value: object }).value;
    expect(ajv.validate(schema, value)).toBe(true);
    expect(ajv.validate(schema, { ...value, port: 'x' })).toBe(false);
    expect(ajv.validate(schema, { ...value, protocol: 'ftp' })).toBe(false);
  });

  test('create body: required without default, shorthand allowed, no unknown fields', () => {
    const schema = toOpenApiSchema(services, { mode: 'create' }) as { required: string[]; properties: Record<string, any> };
    expect(schema.required).toEqual(['host']);
    expect(schema.properties.url.type).toBe('string');
    expect(ajv.validate(schema, { host: 'a', bogus: 1 })).toBe(false);
    expect(ajv.validate(schema, { url: 'http://a', host: 'a' })).toBe(true);
  });

  test('field details: nullable, enums, bounds, description, example', () => {
    const { properties } = toOpenApiSchema(services, { mode: 'response' }) as { properties: Record<string, any> };
    expect(properties.port).toMatchObject({ type: 'integer', minimum: 0, maximum: 65535, default: 80, description: expect.any(String), example: 443 });
    expect(properties.name).toMatchObject({ type: 'string', nullable: true });
    expect(properties.protocol.enum).toEqual(['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp']);
    expect(properties.client_certificate).toMatchObject({ type: 'object', nullable: true, properties: { id: { type: 'string', format: 'uuid' } } });
  });

  test('update body requires nothing', () => {
    expect((toOpenApiSchema(routes, { mode: 'update' }) as { required?: string[] }).required).toBeUndefined();
  });

  test.each([...ENTITIES.keys()])('%s response example validates against its own schema', (name) => {
    const schema = ENTITIES.get(name)!;
    const openapi = toOpenApiSchema(schema, { mode: 'response' });
    expect(ajv.validate(openapi, openapi.example)).toBe(true);
  });
});

describe('toKongSchemaJson', () => {
  test('Kong field shapes', () => {
    const json = toKongSchemaJson(services) as { fields: Record<string, any>[]; entity_checks: unknown[]; shorthand_fields: unknown[] };
    expect(json.fields[0]).toEqual({ id: { type: 'string', uuid: true, auto: true, description: expect.any(String) } });
    expect(json.fields[1]).toEqual({ created_at: { type: 'integer', timestamp: true, auto: true, description: expect.any(String) } });
    const port = json.fields.find((f) => 'port' in f)!.port;
    expect(port).toMatchObject({ type: 'integer', required: true, default: 80, between: [0, 65535] });
    const cc = json.fields.find((f) => 'client_certificate' in f)!.client_certificate;
    expect(cc).toMatchObject({ type: 'foreign', reference: 'certificates', on_delete: 'restrict' });
    expect(json.entity_checks).toHaveLength(5);
    expect(json.shorthand_fields).toEqual([{ url: { type: 'string', description: expect.any(String) } }]);
    expect(JSON.stringify(json)).not.toContain('function');
  });

  test("plugin schema is the plugin's own fields, as Kong's subschema: protocols with its default, then config", () => {
    const json = toKongPluginSubschemaJson([['minute', { type: 'number' }]], ['http', 'https', 'tcp']) as { fields: Record<string, any>[] };
    expect(json.fields.map((f) => Object.keys(f)[0])).toEqual(['protocols', 'config']);
    expect(json.fields[0].protocols).toMatchObject({ type: 'set', required: true, default: ['http', 'https', 'tcp'], elements: { type: 'string' } });
    expect(json.fields[1].config).toEqual({ type: 'record', required: true, fields: [{ minute: { type: 'number' } }] });
    expect((json as Record<string, unknown>).entity_checks).toEqual([]);
  });

  test("plugin schema: Kong's no_consumer / no_service / no_route fields first, and the given entity_checks", () => {
    const checks = [{ at_least_one_of: ['config.minute'] }];
    const json = toKongPluginSubschemaJson([['minute', { type: 'number' }]], ['http'], { noConsumer: true, globalOnly: true, entityChecks: checks }) as { fields: Record<string, any>[]; entity_checks: unknown };
    expect(json.fields.map((f) => Object.keys(f)[0])).toEqual(['consumer', 'service', 'route', 'protocols', 'config']);
    expect(json.fields[0].consumer).toEqual({ type: 'foreign', reference: 'consumers', eq: null, description: expect.any(String) });
    expect(json.fields[2].route).toMatchObject({ type: 'foreign', reference: 'routes', eq: null });
    expect(json.entity_checks).toEqual(checks);
  });

  test("a plugin's forbidden scopes come first as Kong's eq-null foreign fields (typedefs.no_consumer, ...)", () => {
    const names = (scope: { noConsumer?: boolean; globalOnly?: boolean }) =>
      (toKongPluginSubschemaJson([], ['http'], scope) as { fields: object[] }).fields.map((f) => Object.keys(f)[0]);
    expect(names({ noConsumer: true })).toEqual(['consumer', 'protocols', 'config']);
    expect(names({ noConsumer: true, globalOnly: true })).toEqual(['consumer', 'service', 'route', 'protocols', 'config']);
    expect(names({})).toEqual(['protocols', 'config']);
    const json = toKongPluginSubschemaJson([], ['http'], { noConsumer: true }) as { fields: Record<string, any>[] };
    expect(json.fields[0].consumer).toEqual({
      type: 'foreign', reference: 'consumers', eq: null, description: 'Custom type for representing a foreign key with a null value allowed.',
    });
  });

  test("protocols is Kong's typedef: protocols_http lists the HTTP protocols, protocols all of them", () => {
    const http = (toKongPluginSubschemaJson([], ['grpc', 'grpcs', 'http', 'https'], { protocolsHttp: true }) as { fields: Record<string, any>[] }).fields[0].protocols;
    expect(http).toEqual({
      type: 'set', required: true, default: ['grpc', 'grpcs', 'http', 'https'], elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https'] },
      description: 'A set of strings representing HTTP protocols.',
    });
    const any = (toKongPluginSubschemaJson([], ['http', 'tcp'], {}) as { fields: Record<string, any>[] }).fields[0].protocols;
    expect(any).toMatchObject({ default: ['http', 'tcp'], description: 'A set of strings representing protocols.' });
    expect(any.elements.one_of).toEqual(['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp']);
  });

  test('route protocols keep mutually_exclusive_subsets and nested element types', () => {
    const json = toKongSchemaJson(routes) as { fields: Record<string, any>[] };
    const protocols = json.fields.find((f) => 'protocols' in f)!.protocols;
    expect(protocols).toMatchObject({ type: 'set', required: true, len_min: 1, default: ['http', 'https'], elements: { type: 'string' } });
    expect(protocols.mutually_exclusive_subsets).toHaveLength(4);
  });
});
