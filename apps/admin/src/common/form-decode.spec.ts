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
  ])('%s', (_title, pairs, expected) => {
    expect(decodeFormPairs(pairs)).toEqual(expected);
  });
});
