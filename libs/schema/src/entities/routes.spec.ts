import { schemaViolation } from '@tollgate/errors';
import { routes, validateEntity } from '../index';

const insert = (input: Record<string, unknown>) => validateEntity(routes, input, { mode: 'insert' });
const fieldsOf = (input: Record<string, unknown>) => {
  const result = insert(input);
  return result.ok ? null : result.fields;
};
const MUST = (fields: string, label: string) => ({ '@entity': [`must set one of ${fields} when 'protocols' is ${label}`] });

describe('protocol subschema matrix', () => {
  test.each<[string, Record<string, unknown>, unknown]>([
    ['http needs one of methods/hosts/headers/paths', { protocols: ['http'] }, MUST("'methods', 'hosts', 'headers', 'paths'", "'http'")],
    ['https needs one of ... snis', { protocols: ['https'] }, MUST("'methods', 'hosts', 'headers', 'paths', 'snis'", "'https'")],
    ['default protocols are http+https', {}, MUST("'methods', 'hosts', 'headers', 'paths', 'snis'", "'https'")],
    ['empty arrays do not count', { paths: [], hosts: [] }, MUST("'methods', 'hosts', 'headers', 'paths', 'snis'", "'https'")],
    ['http with paths', { protocols: ['http'], paths: ['/a'] }, null],
    ['https with snis only', { protocols: ['https'], snis: ['a.com'] }, null],
    ['http cannot set sources', { protocols: ['http'], paths: ['/'], sources: [{ ip: '10.0.0.1' }] },
      { sources: "cannot set 'sources' when 'protocols' is 'http' or 'https'" }],
    ['http cannot set destinations', { protocols: ['http', 'https'], paths: ['/'], destinations: [{ port: 80 }] },
      { destinations: "cannot set 'destinations' when 'protocols' is 'http' or 'https'" }],
    ['snis need a TLS protocol', { protocols: ['http'], paths: ['/'], snis: ['a.com'] },
      { '@entity': ["failed conditional validation given value of field 'protocols'"], snis: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'" }],
    ['tcp needs one of sources/destinations/snis', { protocols: ['tcp'] }, MUST("'sources', 'destinations', 'snis'", "'tcp', 'tls' or 'udp'")],
    ['tcp with destinations', { protocols: ['tcp'], destinations: [{ ip: '10.0.0.0/8', port: 5432 }] }, null],
    ['tls with snis', { protocols: ['tls'], snis: ['db.example.com'] }, null],
    ['udp with sources', { protocols: ['udp'], sources: [{ port: 53 }] }, null],
    ['tcp cannot set methods/hosts/paths/headers', { protocols: ['tcp'], sources: [{ port: 1 }], methods: ['GET'], hosts: ['a'], paths: ['/'], headers: { a: ['b'] } }, {
      methods: "cannot set 'methods' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
      hosts: "cannot set 'hosts' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
      paths: "cannot set 'paths' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
      headers: "cannot set 'headers' when 'protocols' is 'tcp', 'tls', 'tls_passthrough' or 'udp'",
    }],
    ['tls_passthrough needs snis', { protocols: ['tls_passthrough'] }, { '@entity': ["must set snis when 'protocols' is 'tls_passthrough'"] }],
    ['tls_passthrough with snis', { protocols: ['tls_passthrough'], snis: ['a.com'] }, null],
    ['grpc needs one of hosts/headers/paths', { protocols: ['grpc'] }, MUST("'hosts', 'headers', 'paths'", "'grpc'")],
    ['grpcs needs one of ... snis', { protocols: ['grpcs'] }, MUST("'hosts', 'headers', 'paths', 'snis'", "'grpcs'")],
    ['grpc with paths, strip_path defaults to false', { protocols: ['grpc'], paths: ['/pkg.Svc'] }, null],
    ['grpc cannot strip_path', { protocols: ['grpc'], paths: ['/'], strip_path: true }, { strip_path: "cannot set 'strip_path' when 'protocols' is 'grpc' or 'grpcs'" }],
    ['grpc cannot set methods', { protocols: ['grpc', 'grpcs'], paths: ['/'], methods: ['POST'] }, { methods: "cannot set 'methods' when 'protocols' is 'grpc' or 'grpcs'" }],
    ['mutually exclusive subsets', { protocols: ['http', 'tcp'] }, { protocols: "these sets are mutually exclusive: ('http', 'https'), ('tcp', 'tls', 'udp')" }],
    ['mutually exclusive with tls_passthrough', { protocols: ['tcp', 'tls_passthrough'] }, { protocols: "these sets are mutually exclusive: ('tcp', 'tls', 'udp'), ('tls_passthrough')" }],
    ['unknown protocol per element', { protocols: ['http', 'ftp'], paths: ['/'] }, { protocols: [null, 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp'] }],
    ['empty protocols', { protocols: [], paths: ['/'] }, { protocols: 'length must be at least 1' }],
  ])('%s', (_title, input, fields) => {
    expect(fieldsOf(input)).toEqual(fields);
  });

  test('canonical §5 body for an https route with nothing to match', () => {
    const result = insert({ protocols: ['https'] });
    expect(JSON.stringify(schemaViolation(result.ok ? {} : result.fields).body)).toBe(
      '{"code":2,"name":"schema violation","message":"schema violation (must set one of \'methods\', \'hosts\', \'headers\', \'paths\', \'snis\' when \'protocols\' is \'https\')","fields":{"@entity":["must set one of \'methods\', \'hosts\', \'headers\', \'paths\', \'snis\' when \'protocols\' is \'https\'"]}}',
    );
  });

  test('grpc strip_path default is false, http default true', () => {
    expect(insert({ protocols: ['grpc'], paths: ['/'] })).toMatchObject({ ok: true, value: { strip_path: false } });
    expect(insert({ paths: ['/'] })).toMatchObject({ ok: true, value: { strip_path: true, protocols: ['http', 'https'] } });
  });
});

describe('matching fields', () => {
  test.each<[Record<string, unknown>, unknown]>([
    [{ paths: ['x'] }, { paths: ['should start with: / (fixed path) or ~/ (regex path)'] }],
    [{ paths: ['/a', '/a//b'] }, { paths: [null, 'must not have empty segments'] }],
    [{ paths: ['/a/./b'] }, { paths: ["non-normalized path, consider use '/a/b' instead"] }],
    [{ paths: ['/a/%7Euser'] }, { paths: ["non-normalized path, consider use '/a/~user' instead"] }],
    [{ paths: ['/a%2fb'] }, { paths: ["non-normalized path, consider use '/a%2Fb' instead"] }],
    [{ paths: ['~/a(b'] }, { paths: [expect.stringMatching(/^invalid regex: '\/a\(b' \(PCRE returned: .+\)$/)] }],
    [{ paths: ['~/v\\d+/items$', '/ok', '/a%2Fb'] }, null],
    [{ hosts: ['*.a.com', 'a.*', 'a.com:8080', '10.0.0.1'] }, null],
    [{ hosts: ['*.a.*'] }, { hosts: ['invalid wildcard: must have at most one wildcard'] }],
    [{ hosts: ['a.*.com'] }, { hosts: ['invalid wildcard: must be placed at leftmost or rightmost label'] }],
    [{ hosts: ['bad host'] }, { hosts: ['invalid value: bad host'] }],
    [{ methods: ['GET', 'get'] }, { methods: [null, 'invalid value: get'] }],
    [{ methods: ['GET', 'GET', 'POST'] }, null],
    [{ headers: { Host: ['a'] } }, { headers: { Host: "cannot contain 'host' header, which must be specified in the 'hosts' attribute" } }],
    [{ headers: { 'x-v': 'a' } }, { headers: { 'x-v': 'expected an array' } }],
    [{ protocols: ['tcp'], sources: [{}] }, { sources: [{ '@entity': ["at least one of these fields must be non-empty: 'ip', 'port'"] }] }],
    [{ protocols: ['tcp'], sources: [{ ip: '10.0.0.0/33' }] }, { sources: [{ ip: "invalid ip or cidr range: '10.0.0.0/33'" }] }],
    [{ protocols: ['https'], snis: ['10.0.0.1'] }, { snis: ['must not be an IP'] }],
    [{ protocols: ['https'], snis: ['a.com:443'] }, { snis: ['must not have a port'] }],
    [{ paths: ['/'], https_redirect_status_code: 303 }, { https_redirect_status_code: 'expected one of: 426, 301, 302, 307, 308' }],
    [{ paths: ['/'], path_handling: 'v2' }, { path_handling: 'expected one of: v0, v1' }],
    [{ paths: ['/'], service: 'svc' }, { service: 'expected a record' }],
    [{ paths: ['/'], service: {} }, { service: { id: 'missing primary key' } }],
  ])('%j', (input, fields) => {
    expect(fieldsOf(input)).toEqual(fields);
  });

  test('methods is a set: duplicates dropped', () => {
    expect(insert({ methods: ['GET', 'POST', 'GET'] })).toMatchObject({ ok: true, value: { methods: ['GET', 'POST'] } });
  });
});

// routes.paths as Kong 3.x (traditional_compatible) validates them: typedefs.router_path (percent-encoding,
// normal form of prefixes, a PCRE dry-run of regexes) and the router's Rust regex compile as an entity check.
describe('paths: Kong\'s router_path and regex dialect', () => {
  const rust = (regex: string, why: string) => ({ '@entity': [`Router Expression failed validation: regex parse error: ${regex}: ${why}`] });
  test.each<[string, unknown]>([
    ['/kong(-ee){0,1}.com', null],
    ['/users/\\d+', null],
    ['/caf%C3%A9', null],
    ['~/items/(?P<item>[a-z]+)', null],
    ['~/(?i)admin', null],
    ['~/a\\z', null],
    ['~/users/x/(?<name>\\w+)', null],
    ['~/route/persons/\\d{3}/[a-z]+', null],
    ['~(?i)/admin', { paths: ['should start with: / (fixed path) or ~/ (regex path)'] }],
    ['/a/../b', { paths: ["non-normalized path, consider use '/b' instead"] }],
    ['/%7Euser', { paths: ["non-normalized path, consider use '/~user' instead"] }],
    ['/some%2words', { paths: ["invalid url-encoded value: '%2w'"] }],
    ['~/some%2Gwords', { paths: ["invalid url-encoded value: '%2G'"] }],
    ['/foo//bar', { paths: ['must not have empty segments'] }],
    ['~/users/(foo/profile', { paths: ['invalid regex: \'/users/(foo/profile\' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in "/users/(foo/profile")'] }],
    ['~/a(?=b)', rust('/a(?=b)', 'look-around, including look-ahead and look-behind, is not supported')],
    ['~/(a)\\1', rust('/(a)\\1', 'backreferences are not supported')],
    ['~/a\\Z', rust('/a\\Z', 'unrecognized escape sequence')],
  ])('%s', (path, fields) => {
    expect(fieldsOf({ protocols: ['http'], paths: [path] })).toEqual(fields);
  });

  it('checks header regexes with the same dialect', () => {
    expect(fieldsOf({ protocols: ['http'], headers: { 'x-v': ['~*^v(?=2)'] } })).toEqual(rust('^v(?=2)', 'look-around, including look-ahead and look-behind, is not supported'));
    expect(fieldsOf({ protocols: ['http'], headers: { 'x-v': ['~*^v(?P<n>\\d)$'] } })).toBeNull();
  });
});
