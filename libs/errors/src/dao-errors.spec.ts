import {
  databaseError, dblessWriteMessage, entityNotFound, ERRORS, foreignKeyRestrict, foreignKeysUnresolved, foreignKeyViolation,
  invalidDeclarativeConfig, invalidOffset, invalidOptions, invalidPrimaryKey, invalidSize, invalidUnique, KongError,
  operationUnsupported, primaryKeyViolation, referencedByOthers, schemaViolation, SIZE_NOT_A_NUMBER,
  unresolvedForeignKeyMessage, uniqueViolation,
} from './index';

const ID = '6ab9d1d1-4b2e-4b53-8d54-34b2b7c37d3e';
const asJson = (e: KongError) => ({ status: e.status, body: JSON.stringify(e.body) });

describe('schemaViolation reproduces the canonical bodies of kong-admin-api.md §5', () => {
  test.each([
    [{ name: 'required field missing' },
      '{"code":2,"name":"schema violation","message":"schema violation (name: required field missing)","fields":{"name":"required field missing"}}'],
    [{ cert: 'required field missing', key: 'required field missing' },
      '{"code":2,"name":"schema violation","message":"2 schema violations (cert: required field missing; key: required field missing)","fields":{"cert":"required field missing","key":"required field missing"}}'],
    [{ '@entity': ["must set one of 'methods', 'hosts', 'headers', 'paths', 'snis' when 'protocols' is 'https'"] },
      '{"code":2,"name":"schema violation","message":"schema violation (must set one of \'methods\', \'hosts\', \'headers\', \'paths\', \'snis\' when \'protocols\' is \'https\')","fields":{"@entity":["must set one of \'methods\', \'hosts\', \'headers\', \'paths\', \'snis\' when \'protocols\' is \'https\'"]}}'],
    [{ '@entity': ["at least one of these fields must be non-empty: 'custom_id', 'username'"] },
      '{"code":2,"name":"schema violation","message":"schema violation (at least one of these fields must be non-empty: \'custom_id\', \'username\')","fields":{"@entity":["at least one of these fields must be non-empty: \'custom_id\', \'username\'"]}}'],
    [{ '@entity': ["failed conditional validation given value of field 'protocol'"], path: 'value must be null' },
      '{"code":2,"name":"schema violation","message":"2 schema violations (failed conditional validation given value of field \'protocol\'; path: value must be null)","fields":{"@entity":["failed conditional validation given value of field \'protocol\'"],"path":"value must be null"}}'],
  ])('%j', (fields, body) => {
    expect(asJson(schemaViolation(fields))).toEqual({ status: 400, body });
  });

  test('sorted keys, @entity first, nested and per-element errors flattened one level', () => {
    const error = schemaViolation({
      service: { id: 'expected a valid UUID' },
      protocols: [null, 'expected one of: http, https'],
      '@entity': ['first'],
      config: { minute: 'expected a number', hour: 'expected a number' },
      a: 'unknown field',
    });
    expect((error.body as { message: string }).message).toBe(
      '6 schema violations (first; a: unknown field; config.hour: expected a number; config.minute: expected a number; ' +
        'protocols.2: expected one of: http, https; service.id: expected a valid UUID)',
    );
  });

  test('a deeper table is pretty-printed as Lua', () => {
    const error = schemaViolation({ sources: [{ ip: 'invalid ip or cidr range: \'x\'' }] });
    expect((error.body as { message: string }).message).toBe(`schema violation (sources.1: {ip="invalid ip or cidr range: 'x'"})`);
  });
});

describe('other DAO errors', () => {
  test.each<[string, KongError, number, object]>([
    ['unique (canonical)', uniqueViolation({ username: 'bob' }), 409,
      { code: 5, name: 'unique constraint violation', message: 'UNIQUE violation detected on \'{username="bob"}\'', fields: { username: 'bob' } }],
    ['unique composite, sorted, null printed', uniqueViolation({ name: 'basic-auth', service: { id: ID }, route: null, consumer: null }), 409,
      { code: 5, name: 'unique constraint violation', message: `UNIQUE violation detected on '{consumer=null,name="basic-auth",route=null,service={id="${ID}"}}'`,
        fields: { name: 'basic-auth', service: { id: ID }, route: null, consumer: null } }],
    ['fk restrict (canonical)', foreignKeyRestrict('routes', 'services'), 400,
      { code: 4, name: 'foreign key violation', message: "an existing 'routes' entity references this 'services' entity", fields: { '@referenced_by': 'routes' } }],
    ['fk insert', foreignKeyViolation('service', 'services', { id: ID }), 400,
      { code: 4, name: 'foreign key violation', message: `the foreign key '{id="${ID}"}' does not reference an existing 'services' entity.`, fields: { service: { id: ID } } }],
    ['invalid offset (canonical)', invalidOffset('x', 'bad base64 encoding'), 400,
      { code: 7, name: 'invalid offset', message: "'x' is not a valid offset: bad base64 encoding" }],
    ['invalid options (canonical)', invalidOptions({ tags: 'cannot be null' }), 400,
      { code: 11, name: 'invalid options', message: 'invalid option (tags: cannot be null)', options: { tags: 'cannot be null' } }],
    ['invalid primary key', invalidPrimaryKey({ id: 'expected a valid UUID' }), 400,
      { code: 1, name: 'invalid primary key', message: 'invalid primary key: \'{id="expected a valid UUID"}\'', fields: { id: 'expected a valid UUID' } }],
    ['primary key violation', primaryKeyViolation({ id: ID }), 400,
      { code: 3, name: 'primary key violation', message: `primary key violation on key '{id="${ID}"}'`, fields: { id: ID } }],
    ['not found by pk', entityNotFound({ id: ID }), 404,
      { code: 6, name: 'not found', message: `could not find the entity with primary key '{id="${ID}"}'`, fields: { id: ID } }],
    ['not found by name', entityNotFound({ name: 'x' }, false), 404,
      { code: 6, name: 'not found', message: 'could not find the entity with \'{name="x"}\'', fields: { name: 'x' } }],
    ['size not a number', invalidSize(SIZE_NOT_A_NUMBER), 400, { code: 9, name: 'invalid size', message: 'size must be a number' }],
    ['size out of range', invalidSize(), 400, { code: 9, name: 'invalid size', message: 'size must be an integer between 1 and 1000' }],
    ['invalid unique', invalidUnique('name', "Invalid name ('1.2.3.4'); no ip addresses allowed"), 400,
      { code: 10, name: 'invalid unique name', message: "Invalid name ('1.2.3.4'); no ip addresses allowed" }],
    ['operation unsupported', operationUnsupported(dblessWriteMessage('create', 'routes')), 405,
      { code: 12, name: 'operation unsupported', message: "cannot create 'routes' entities when not using a database" }],
    ['unresolved fk', foreignKeysUnresolved({ service: { name: unresolvedForeignKeyMessage({ name: 'x' }, 'services') } }), 400,
      { code: 13, name: 'foreign keys unresolved',
        message: 'foreign key unresolved (service.name: the foreign key cannot be resolved with \'{name="x"}\' for an existing \'services\' entity)',
        fields: { service: { name: 'the foreign key cannot be resolved with \'{name="x"}\' for an existing \'services\' entity' } } }],
    ['referenced by others', referencedByOthers(`ca certificate ${ID} is still referenced by services (id = ${ID})`), 400,
      { code: 19, name: 'referenced by others', message: `ca certificate ${ID} is still referenced by services (id = ${ID})` }],
    ['database error hides detail', databaseError(new Error('SQLITE_BUSY')), 500, { message: 'An unexpected error occurred' }],
  ])('%s', (_title, error, status, body) => {
    expect(error).toBeInstanceOf(KongError);
    expect(error.status).toBe(status);
    expect(error.body).toEqual(body);
    expect(JSON.stringify(error.body)).not.toMatch(/SQLITE/);
  });

  test('DB-less verbs with an endpoint key', () => {
    expect(dblessWriteMessage('update', 'routes', 'name')).toBe("cannot update 'routes' entities by 'name' when not using a database");
  });

  test('declarative config error pretty-prints the tree', () => {
    expect((invalidDeclarativeConfig({ services: [null, 'x'] } as never).body as { message: string }).message)
      .toBe('declarative config is invalid: {services={null,"x"}}');
  });

  test('ERRORS table maps each code to Kong name and status', () => {
    expect([...ERRORS.entries()].map(([code, e]) => `${code}:${e.status}:${e.name}`)).toEqual([
      '1:400:invalid primary key', '2:400:schema violation', '3:400:primary key violation', '4:400:foreign key violation',
      '5:409:unique constraint violation', '6:404:not found', '7:400:invalid offset', '8:500:database error',
      '9:400:invalid size', '10:400:invalid unique', '11:400:invalid options', '12:405:operation unsupported',
      '13:400:foreign keys unresolved', '14:400:invalid declarative configuration', '19:400:referenced by others',
    ]);
  });
});
