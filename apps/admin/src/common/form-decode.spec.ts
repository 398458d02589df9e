import { decodeFormPairs } from './form-decode';

describe('decodeFormPairs', () => {
  it.each<[string, Array<[string, string]>, unknown]>([
    ['dotted keys nest', [['service.id', 'abc'], ['config.minute', '10']], { service: { id: 'abc' }, config: { minute: '10' } }],
    ['[] appends', [['paths[]', '/a'], ['paths[]', '/b']], { paths: ['/a', '/b'] }],
    ['[n] places 1-based', [['paths[2]', '/b'], ['paths[1]', '/a']], { paths: ['/a', '/b'] }],
    ['repeated keys build arrays', [['methods', 'GET'], ['methods', 'POST']], { methods: ['GET', 'POST'] }],
    ['[key] is a map key', [['headers[x-foo]', 'bar']], { headers: { 'x-foo': 'bar' } }],
    ['mixed a[1].b', [['sources[1].ip', '10.0.0.1'], ['sources[1].port', '80']], { sources: [{ ip: '10.0.0.1', port: '80' }] }],
    ['holes become null', [['paths[2]', '/b']], { paths: [null, '/b'] }],
    ['unparseable keys stay verbatim', [['a[b', 'x']], { 'a[b': 'x' }],
    ['an index beyond the argument limit is a map key', [['paths[99999999]', '/a']], { paths: { '99999999': '/a' } }],
  ])('%s', (_title, pairs, expected) => {
    expect(decodeFormPairs(pairs)).toEqual(expected);
  });
});

describe('decodeFormPairs with hostile keys', () => {
  it('keeps __proto__ as an own key and never touches prototypes', () => {
    const tree = decodeFormPairs([['__proto__.polluted', 'yes'], ['a.__proto__', 'x'], ['constructor.prototype.polluted', 'yes']]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.getPrototypeOf(tree)).toBe(Object.prototype);
    expect(Object.keys(tree)).toEqual(['__proto__', 'a', 'constructor']);
    expect(JSON.stringify(tree)).toBe('{"__proto__":{"polluted":"yes"},"a":{"__proto__":"x"},"constructor":{"prototype":{"polluted":"yes"}}}');
  });
});
