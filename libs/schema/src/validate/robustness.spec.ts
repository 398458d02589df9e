// Hostile input found by the Admin API fuzz test: every case is a schema violation in Kong's `fields` shape,
// never an exception, and no client key reaches an object's prototype.
// (a literal `{ __proto__: x }` sets the prototype, so expectations with that key are built with JSON.parse)
import { consumers, EntitySchema, FieldList, plugins, routes, services, validateConfigRecord, validateEntity, ValidationResult } from '../index';
import { deepCopy, MAX_VALUE_DEPTH, nestsDeeperThan, sameValue } from './hostile-input';
import { mergeForUpdate } from './merge';

const ID = '0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01';
const DEEP = 20_000;
const pluginSchemas = new Map<string, FieldList>([
  ['key-auth', [['key_names', { type: 'array', elements: { type: 'string' }, default: ['apikey'] }]]],
  ['untyped', [['anything', { type: 'json' }], ['list', { type: 'array' }], ['bag', { type: 'map' }]]],
]);

/** `{a: {a: ... 'x'}}` n levels deep, built without recursion. */
function nestedObjects(levels: number): unknown {
  let value: unknown = 'x';
  for (let i = 0; i < levels; i++) value = { a: value };
  return value;
}

function nestedArrays(levels: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < levels; i++) value = [value];
  return value;
}

const json = (text: string) => JSON.parse(text) as Record<string, unknown>;
const previousConsumer = { id: ID, created_at: 1, updated_at: 1, username: 'alice', custom_id: null, tags: ['t'] };
const previousPlugin = {
  id: ID, created_at: 1, updated_at: 1, name: 'key-auth', instance_name: null, route: null, service: null, consumer: null,
  config: { key_names: ['apikey'] }, protocols: ['http'], enabled: true, tags: null,
};

type Case = [string, EntitySchema, Record<string, unknown>, 'insert' | 'update', Record<string, unknown>];

describe('hostile bodies give schema violations, not exceptions', () => {
  const insert = 'insert' as const;
  const update = 'update' as const;
  test.each<Case>([
    // `@entity` is Kong's list of entity-level messages, so an unknown key with that name joins the list
    ['@entity as a body key', consumers, { username: 'a', '@entity': 1 }, insert, { '@entity': ['unknown field'] }],
    ['@entity next to a failing entity check', routes, { protocols: ['http'], '@entity': ['x'] }, insert,
      { '@entity': ['unknown field', "must set one of 'methods', 'hosts', 'headers', 'paths' when 'protocols' is 'http'"] }],
    ['@entity in a PATCH', consumers, { '@entity': 'x' }, update, { '@entity': ['unknown field'] }],
    ['@entity inside a plugin config', plugins, { name: 'key-auth', config: { '@entity': 1 } }, insert, { config: { '@entity': ['unknown field'] } }],
    // prototype keys are unknown fields like any other
    ['__proto__ (JSON.parse makes it an own key)', consumers, json('{"username":"a","__proto__":{"username":"b"}}'), insert, json('{"__proto__":"unknown field"}')],
    ['__proto__ in a PATCH', consumers, json('{"__proto__":{"tags":["x"]}}'), update, json('{"__proto__":"unknown field"}')],
    ['__proto__ inside a plugin config', plugins, json('{"name":"key-auth","config":{"__proto__":{"key_names":1}}}'), insert,
      json('{"config":{"__proto__":"unknown field"}}')],
    ['__proto__ inside a plugin config PATCH', plugins, json('{"config":{"__proto__":1}}'), update, json('{"config":{"__proto__":"unknown field"}}')],
    ['constructor and prototype', consumers, { username: 'a', constructor: {}, prototype: 1 }, insert, { constructor: 'unknown field', prototype: 'unknown field' }],
    ['constructor in a PATCH', consumers, { constructor: 'x' }, update, { constructor: 'unknown field' }],
    // deep nesting: the natural error at the top of the offending field
    ['deep object as a set', consumers, { username: 'a', tags: nestedObjects(DEEP) }, insert, { tags: 'expected a set' }],
    ['deep objects as set elements', consumers, { username: 'a', tags: [nestedObjects(DEEP), nestedObjects(DEEP)] }, insert, { tags: ['expected a string', 'expected a string'] }],
    ['deep arrays as set elements', consumers, { username: 'a', tags: [nestedArrays(DEEP)] }, insert, { tags: ['expected a string'] }],
    ['deep object as a set in a PATCH', consumers, { tags: nestedObjects(DEEP) }, update, { tags: 'expected a set' }],
    ['deep unknown field', consumers, { username: 'a', junk: nestedObjects(DEEP) }, insert, { junk: 'unknown field' }],
    ['deep unknown field in a PATCH', consumers, { junk: nestedArrays(DEEP) }, update, { junk: 'unknown field' }],
    ['deep object as a string', services, { host: nestedObjects(DEEP) }, insert, { host: 'expected a string' }],
    ['deep plugin config', plugins, { name: 'key-auth', config: nestedObjects(DEEP) }, insert, { config: { a: 'unknown field' } }],
    ['deep plugin config PATCH', plugins, { config: nestedObjects(DEEP) }, update, { config: { a: 'unknown field' } }],
    ['deep plugin config field', plugins, { config: { key_names: nestedObjects(DEEP) } }, update, { config: { key_names: 'expected an array' } }],
    ['deep route headers', routes, { paths: ['/'], headers: { 'x-a': nestedArrays(DEEP) } }, insert, { headers: { 'x-a': ['expected a string'] } }],
    // a form's `paths[99999999]=/a` reaches the validator as a map: Kong's sequence check says "expected an array"
    ['map where an array is expected', routes, { paths: { 99999999: '/a' } }, insert, { paths: 'expected an array' }],
    ['map where a set is expected', routes, { paths: ['/a'], methods: { 1: 'GET' } }, insert, { methods: 'expected a set' }],
  ])('%s', (_title, schema, input, mode, fields) => {
    const previous = schema === plugins ? previousPlugin : schema === consumers ? previousConsumer : {};
    const result = validateEntity(schema, input, { mode, previous: mode === 'update' ? previous : undefined, pluginSchemas });
    expect(result).toEqual({ ok: false, fields });
    // the error tree itself is plain data: serialisable, own keys only
    expect(JSON.parse(JSON.stringify(result))).toEqual({ ok: false, fields });
  });
});

describe('values the schema leaves untyped are held to the depth bound', () => {
  const config = (anything: unknown): ValidationResult =>
    validateEntity(plugins, { name: 'untyped', config: anything }, { mode: 'insert', pluginSchemas });

  test.each<[string, Record<string, unknown>, unknown]>([
    ['json field', { anything: nestedObjects(MAX_VALUE_DEPTH + 1) }, { config: { anything: 'nested deeper than 1000 levels' } }],
    ['list without elements', { list: nestedArrays(MAX_VALUE_DEPTH + 1) }, { config: { list: 'nested deeper than 1000 levels' } }],
    ['map without values', { bag: { k: nestedArrays(MAX_VALUE_DEPTH) } }, { config: { bag: 'nested deeper than 1000 levels' } }],
  ])('%s one level past the bound', (_title, body, fields) => {
    expect(config(body)).toEqual({ ok: false, fields });
  });

  test('exactly at the bound is accepted and stored as given', () => {
    const anything = nestedObjects(MAX_VALUE_DEPTH);
    const result = config({ anything, list: [[1]], bag: { k: { v: 1 } } });
    expect(result).toMatchObject({ ok: true, value: { config: { anything, list: [[1]], bag: { k: { v: 1 } } } } });
  });

  test('validateConfigRecord shares the bound', () => {
    const fields: FieldList = [['anything', { type: 'json' }]];
    expect(validateConfigRecord(fields, { anything: nestedArrays(DEEP) })).toEqual({ ok: false, fields: { anything: 'nested deeper than 1000 levels' } });
  });
});

describe('client keys never reach a prototype', () => {
  test('a map keeps `__proto__` as an ordinary own key', () => {
    const result = validateEntity(routes, json('{"paths":["/"],"headers":{"__proto__":["x"],"x-a":["y"]}}'), { mode: 'insert' });
    expect(result.ok).toBe(true);
    const headers = (result as { value: Record<string, unknown> }).value.headers as Record<string, unknown>;
    expect(Object.getPrototypeOf(headers)).toBe(Object.prototype);
    expect(Object.keys(headers)).toEqual(['__proto__', 'x-a']);
    expect(JSON.stringify(headers)).toBe('{"__proto__":["x"],"x-a":["y"]}');
  });

  test('a map key `__proto__` that fails its key check is reported under that key', () => {
    const fields: FieldList = [['bag', { type: 'map', keys: { type: 'string', match: /^[a-z]+$/ }, values: { type: 'string' } }]];
    const result = validateConfigRecord(fields, json('{"bag":{"__proto__":"v"}}'));
    expect(JSON.stringify(result)).toBe('{"ok":false,"fields":{"bag":{"__proto__":"invalid value: __proto__"}}}');
  });

  test('mergeForUpdate copies `__proto__` as an own key and leaves the stored entity alone', () => {
    const previous = { username: 'alice', tags: ['t'] };
    const merged = mergeForUpdate(consumers.fields, previous, json('{"__proto__":{"polluted":true}}'), { mode: 'update' });
    expect(Object.getPrototypeOf(merged)).toBe(Object.prototype);
    expect(Object.keys(merged)).toEqual(['username', 'tags', '__proto__']);
    expect((merged as { polluted?: boolean }).polluted).toBeUndefined();
    expect(previous).toEqual({ username: 'alice', tags: ['t'] });
  });
});

describe('hostile-input helpers', () => {
  test.each<[string, unknown, number, boolean]>([
    ['a scalar', 'x', 0, false],
    ['{} past 0', {}, 0, true],
    ['{} within 1', {}, 1, false],
    ['3 objects within 3', nestedObjects(3), 3, false],
    ['3 objects past 2', nestedObjects(3), 2, true],
    ['ragged arrays past 3', [[], [[[]]]], 3, true],
    ['ragged arrays within 4', [[], [[[]]]], 4, false],
    ['20,000 arrays past the bound', nestedArrays(DEEP), MAX_VALUE_DEPTH, true],
  ])('nestsDeeperThan: %s', (_title, value, limit, expected) => {
    expect(nestsDeeperThan(value, limit)).toBe(expected);
  });

  test('deepCopy: deep input, own `__proto__`, no shared structure', () => {
    const deep = nestedObjects(DEEP);
    const copy = deepCopy(deep);
    expect(copy).not.toBe(deep);
    expect(sameValue(copy, deep)).toBe(true);
    const hostile = json('{"__proto__":{"a":[1,{"b":2}]}}');
    const hostileCopy = deepCopy(hostile);
    expect(Object.keys(hostileCopy)).toEqual(['__proto__']);
    expect(JSON.stringify(hostileCopy)).toBe('{"__proto__":{"a":[1,{"b":2}]}}');
    expect(hostileCopy.__proto__).not.toBe(hostile.__proto__);
  });

  test.each<[unknown, unknown, boolean]>([
    [{ a: 1, b: [1, 2] }, { b: [1, 2], a: 1 }, true],
    [{ a: 1 }, { a: 1, b: undefined }, false],
    [[1, 2], [2, 1], false],
    [null, undefined, false],
    [{ id: ID }, { id: ID.toUpperCase() }, false],
    [[], {}, false],
  ])('sameValue(%j, %j) = %s', (a, b, expected) => {
    expect(sameValue(a, b)).toBe(expected);
  });

  test('immutable fields compare structurally, even for deep values', () => {
    const schema: EntitySchema = { name: 'things', adminPath: '/things', primaryKey: ['id'], fields: [['spec', { type: 'json', immutable: true }]] };
    const opts = (previous: Record<string, unknown>) => ({ mode: 'update' as const, previous, autoFields: false });
    expect(validateEntity(schema, { spec: { b: 1, a: 2 } }, opts({ spec: { a: 2, b: 1 } }))).toEqual({ ok: true, value: { spec: { a: 2, b: 1 } } });
    expect(validateEntity(schema, { spec: nestedObjects(DEEP) }, opts({ spec: null }))).toEqual({
      ok: false, fields: { spec: 'nested deeper than 1000 levels' },
    });
    expect(validateEntity(schema, { spec: [1] }, opts({ spec: [2] }))).toEqual({ ok: false, fields: { spec: 'immutable field cannot be updated' } });
  });
});
