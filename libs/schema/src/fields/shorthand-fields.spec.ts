import { validateConfigRecord } from '../validate/entity';
import { mergeForUpdate } from '../validate/merge';
import type { FieldList } from '../types';
import { echoShorthandFields, flatShorthands, withShorthandFields } from './shorthand-fields';

const redis: FieldList = [['host', { type: 'string' }], ['port', { type: 'integer', default: 6379 }]];
const fields = withShorthandFields(
  [['redis', { type: 'record', required: true, fields: redis }], ['samesite', { type: 'string', default: 'Strict' }]],
  [...flatShorthands('redis', redis, ['host', 'port']), { name: 'legacy_samesite', field: { type: 'string' }, path: ['samesite'], map: (v) => (v === 'off' ? 'Lax' : v), echo: false }],
);

describe('shorthand fields of a record', () => {
  test('move to their path, keep the record defaults, map values', () => {
    const r = validateConfigRecord(fields, { redis_host: 'h', legacy_samesite: 'off' });
    expect(r).toEqual({ ok: true, value: { redis: { host: 'h', port: 6379 }, samesite: 'Lax' } });
  });

  test.each([
    [{ redis_port: 'x' }, { redis_port: 'expected an integer' }],
    [{ redis_host: 'a', redis: { host: 'b' } }, { redis_host: 'both deprecated and new field are used but their values mismatch: redis_host = a vs redis.host = b' }],
  ])('errors under the shorthand name: %j', (input, errors) => {
    const r = validateConfigRecord(fields, input);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.fields).toEqual(errors);
  });

  test('echoed from their path (deprecated forms only); a PATCH merges through them', () => {
    const stored = { redis: { host: 'h', port: 1 }, samesite: 'Lax' };
    const shown = echoShorthandFields(fields, stored);
    expect(shown).toEqual({ ...stored, redis_host: 'h', redis_port: 1 });
    const merged = mergeForUpdate([['config', { type: 'record', fields }]], { config: shown }, { config: { redis_host: 'new' } }, { mode: 'update' });
    expect(merged.config).toEqual({ redis: { host: 'new', port: 1 }, samesite: 'Lax' });
  });
});
