import { schemaViolation } from '@tollgate/errors';
import { services, validateEntity } from '../index';

const insert = (input: Record<string, unknown>) => validateEntity(services, input, { mode: 'insert' });
const pick = (result: ReturnType<typeof insert>) =>
  result.ok ? (({ protocol, host, port, path }) => ({ protocol, host, port, path }))(result.value) : result.fields;

describe('url shorthand', () => {
  test.each<[string, unknown]>([
    ['http://service.test', { protocol: 'http', host: 'service.test', port: 80, path: null }],
    ['https://service.test/', { protocol: 'https', host: 'service.test', port: 443, path: '/' }],
    ['https://service.test:8443/a/b', { protocol: 'https', host: 'service.test', port: 8443, path: '/a/b' }],
    ['grpc://svc:50051', { protocol: 'grpc', host: 'svc', port: 50051, path: null }],
    ['tcp://10.0.0.1:5432', { protocol: 'tcp', host: '10.0.0.1', port: 5432, path: null }],
    ['service.test:443', { protocol: 'https', host: 'service.test', port: 443, path: null }],
    ['service.test:8080/x', { protocol: 'http', host: 'service.test', port: 8080, path: '/x' }],
    ['http://[::1]:81/', { protocol: 'http', host: '::1', port: 81, path: '/' }],
    ['ftp://x', { protocol: 'expected one of: grpc, grpcs, http, https, tcp, tls, tls_passthrough, udp' }],
    ['', { url: 'length must be at least 1', host: 'required field missing' }],
    [' ', { host: 'invalid value:  ' }],
    ['http://', { host: 'required field missing' }],
    // Kong's spec 10-services_routes "handles invalid url": no scheme, so the text is a path and there is no host
    ['invalid url', { host: 'required field missing', path: 'should start with: /' }],
    ['/only/a/path', { host: 'required field missing' }],
  ])('%j', (url, expected) => {
    expect(pick(insert({ url }))).toEqual(expected);
  });

  test('url is never in the output and wins over explicit fields', () => {
    const result = insert({ url: 'https://a.test/x', host: 'b.test', port: 1 });
    expect(result.ok && 'url' in result.value).toBe(false);
    expect(pick(result)).toEqual({ protocol: 'https', host: 'a.test', port: 443, path: '/x' });
  });

  test('PATCH with url replaces protocol/host/port/path', () => {
    const previous = (insert({ url: 'https://a.test:8443/x' }) as { value: Record<string, unknown> }).value;
    const result = validateEntity(services, { url: 'http://b.test' }, { mode: 'update', previous });
    expect(pick(result)).toEqual({ protocol: 'http', host: 'b.test', port: 80, path: null });
  });
});

describe('field rules', () => {
  test.each<[Record<string, unknown>, unknown]>([
    [{ host: 'a.com:80' }, { host: 'must not have a port' }],
    [{ host: 'bad host' }, { host: 'invalid value: bad host' }],
    [{ host: '[::1]' }, null],
    [{ host: 'a.com', port: 65536 }, { port: 'value should be between 0 and 65535' }],
    [{ host: 'a.com', port: '80' }, { port: 'expected an integer' }],
    [{ host: 'a.com', retries: 32768 }, { retries: 'value should be between 0 and 32767' }],
    [{ host: 'a.com', connect_timeout: 0 }, { connect_timeout: 'value should be between 1 and 2147483646' }],
    [{ host: 'a.com', path: 'x' }, { path: 'should start with: /' }],
    [{ host: 'a.com', path: '/a//b' }, { path: 'must not have empty segments' }],
    [{ host: 'a.com', path: '/a b' }, { path: "invalid path: '/a b' (characters outside of the reserved list of RFC 3986 found)" }],
    [{ host: 'a.com', path: '/a%zz' }, { path: "invalid url-encoded value: '%zz'" }],
    [{ host: 'a.com', path: '/a%2F' }, null],
    [{ host: 'a.com', tls_verify_depth: 65, protocol: 'https' }, { tls_verify_depth: 'value should be between 0 and 64' }],
    [{ host: 'a.com', ca_certificates: ['nope'] }, { ca_certificates: ['expected a valid UUID'] }],
  ])('%j', (input, fields) => {
    const result = insert(input);
    expect(result.ok ? null : result.fields).toEqual(fields);
  });
});

describe('protocol conditionals, with the exact Kong body', () => {
  test.each<[Record<string, unknown>, string]>([
    [{ host: 'a', protocol: 'tcp', path: '/x' }, 'path'],
    [{ host: 'a', protocol: 'grpc', path: '/x' }, 'path'],
    [{ host: 'a', protocol: 'http', tls_verify: true }, 'tls_verify'],
    [{ host: 'a', protocol: 'http', tls_verify_depth: 1 }, 'tls_verify_depth'],
    [{ host: 'a', protocol: 'tcp', ca_certificates: ['0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01'] }, 'ca_certificates'],
    [{ host: 'a', protocol: 'http', client_certificate: { id: '0d5b7fd8-c7d7-4b4b-8f0a-2a1f5c7a9f01' } }, 'client_certificate'],
  ])('%j', (input, field) => {
    const result = insert(input);
    expect(result).toEqual({ ok: false, fields: { '@entity': ["failed conditional validation given value of field 'protocol'"], [field]: 'value must be null' } });
  });

  test('canonical §5 body for a tcp service with a path', () => {
    const result = insert({ host: 'a', protocol: 'tcp', path: '/x' });
    const error = schemaViolation(result.ok ? {} : result.fields);
    expect(JSON.stringify(error.body)).toBe(
      '{"code":2,"name":"schema violation","message":"2 schema violations (failed conditional validation given value of field \'protocol\'; path: value must be null)","fields":{"@entity":["failed conditional validation given value of field \'protocol\'"],"path":"value must be null"}}',
    );
  });

  test('tls fields allowed on https and tls', () => {
    expect(insert({ host: 'a', protocol: 'https', tls_verify: true, tls_verify_depth: 2 }).ok).toBe(true);
    expect(insert({ host: 'a', protocol: 'tls', tls_verify: false }).ok).toBe(true);
  });
});
