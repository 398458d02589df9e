import { FieldDef, ValidateOptions } from '../types';
import { validateValue } from './value';
import { validateConfigRecord } from './entity';

const opts: ValidateOptions = { mode: 'insert' };
const err = (def: FieldDef, value: unknown) => validateValue(def, value, opts).error;

describe('type rules: JSON is never coerced', () => {
  test.each<[FieldDef, unknown, string]>([
    [{ type: 'string' }, 5, 'expected a string'],
    [{ type: 'integer' }, '80', 'expected an integer'],
    [{ type: 'integer' }, 1.5, 'expected an integer'],
    [{ type: 'number' }, '1', 'expected a number'],
    [{ type: 'boolean' }, 'true', 'expected a boolean'],
    [{ type: 'array' }, 'a', 'expected an array'],
    [{ type: 'set' }, {}, 'expected a set'],
    [{ type: 'map' }, [], 'expected a map'],
    [{ type: 'record', fields: [] }, 'x', 'expected a record'],
    [{ type: 'foreign', reference: 'services' }, 'x', 'expected a record'],
    [{ type: 'string' }, '', 'length must be at least 1'],
    [{ type: 'string', len_min: 3 }, 'ab', 'length must be at least 3'],
    [{ type: 'string', len_max: 2 }, 'abc', 'length must be at most 2'],
    [{ type: 'integer', between: [0, 65535] }, 70000, 'value should be between 0 and 65535'],
    [{ type: 'string', one_of: ['a', 'b', 'c'] }, 'd', 'expected one of: a, b, c'],
    [{ type: 'string', uuid: true }, 'nope', 'expected a valid UUID'],
    [{ type: 'string', match: /^[A-Z]+$/ }, 'get', 'invalid value: get'],
    [{ type: 'string', starts_with: '/' }, 'x', 'should start with: /'],
    [{ type: 'integer', gt: 0 }, 0, 'value must greater than 0'.replace('must', 'must be')],
    [{ type: 'string', required: true }, null, 'required field missing'],
  ])('%j with %j', (def, value, message) => {
    expect(err(def, value)).toBe(message);
  });

  test.each<[FieldDef, unknown]>([
    [{ type: 'string', len_min: 0 }, ''],
    [{ type: 'integer' }, 80],
    [{ type: 'number' }, 1.5],
    [{ type: 'string', uuid: true }, 'AB9D1D1F-4B2E-4B53-8D54-34B2B7C37D3E'],
    [{ type: 'string' }, null],
  ])('accepts %j %j', (def, value) => expect(err(def, value)).toBeUndefined());
});

describe('containers', () => {
  test('set drops duplicates keeping first-occurrence order; array keeps them', () => {
    expect(validateValue({ type: 'set', elements: { type: 'string' } }, ['b', 'a', 'b', 'c', 'a'], opts).value).toEqual(['b', 'a', 'c']);
    expect(validateValue({ type: 'array', elements: { type: 'string' } }, ['b', 'b'], opts).value).toEqual(['b', 'b']);
    const records = validateValue({ type: 'set', elements: { type: 'record', fields: [['ip', { type: 'string' }], ['port', { type: 'integer' }]] } },
      [{ ip: '1.1.1.1', port: 1 }, { port: 1, ip: '1.1.1.1' }], opts);
    expect(records.value).toEqual([{ ip: '1.1.1.1', port: 1 }]);
  });

  test('per-element errors are arrays padded with null', () => {
    const def: FieldDef = { type: 'array', elements: { type: 'string', one_of: ['http', 'https'] } };
    expect(err(def, ['http', 'ftp'])).toEqual([null, 'expected one of: http, https']);
    expect(err(def, ['ftp'])).toEqual(['expected one of: http, https']);
  });

  test('map keys and values are validated', () => {
    const def: FieldDef = { type: 'map', keys: { type: 'string', match: /^[a-z]+$/ }, values: { type: 'integer' } };
    expect(err(def, { ok: 1, BAD: 2, also: 'x' })).toEqual({ BAD: 'invalid value: BAD', also: 'expected an integer' });
  });

  test('records: unknown fields, nested defaults, nested errors', () => {
    const def: FieldDef = { type: 'record', fields: [['a', { type: 'integer', default: 1 }], ['b', { type: 'record', fields: [['c', { type: 'string', default: 'x' }]] }]] };
    expect(validateValue(def, {}, opts).value).toEqual({ a: 1, b: { c: 'x' } });
    expect(err(def, { a: 'no', z: 1, b: { c: 5 } })).toEqual({ z: 'unknown field', a: 'expected an integer', b: { c: 'expected a string' } });
  });

  test.each<[unknown, unknown]>([
    [{}, { id: 'missing primary key' }],
    [{ protocol: 'http' }, { id: 'missing primary key' }],
    [{ id: 'x' }, { id: 'expected a valid UUID' }],
  ])('foreign %j', (value, error) => {
    expect(err({ type: 'foreign', reference: 'services' }, value)).toEqual(error);
  });

  test('foreign keys come out as {id} only', () => {
    const id = '0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01';
    expect(validateValue({ type: 'foreign' }, { id, name: 'svc' }, opts).value).toEqual({ id });
  });
});

describe('validateConfigRecord (plugin config language)', () => {
  const fields = [
    ['minute', { type: 'number', gt: 0 }],
    ['policy', { type: 'string', default: 'local', one_of: ['local', 'cluster', 'redis'] }],
    ['fault_tolerant', { type: 'boolean', required: true, default: true }],
  ] as const;
  test('fills defaults', () => {
    expect(validateConfigRecord(fields, { minute: 5 })).toEqual({ ok: true, value: { minute: 5, policy: 'local', fault_tolerant: true } });
    expect(validateConfigRecord(fields, undefined)).toEqual({ ok: true, value: { minute: null, policy: 'local', fault_tolerant: true } });
  });
  test('reports errors as a tree', () => {
    expect(validateConfigRecord(fields, { minute: 0, policy: 'x', extra: 1 })).toEqual({
      ok: false, fields: { extra: 'unknown field', minute: 'value must be greater than 0', policy: 'expected one of: local, cluster, redis' },
    });
    expect(validateConfigRecord(fields, 'x')).toEqual({ ok: false, fields: { '@entity': ['expected a record'] } });
  });
});
