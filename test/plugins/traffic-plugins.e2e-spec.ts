// ip-restriction, request-size-limiting, request-termination, cors and correlation-id with real traffic.
import { createKit, type Kit } from './support/kit';

describe('traffic plugins (proxy)', () => {
  let kit: Kit;

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const s = b.service(kit.upstream.port);
    const r = (path: string) => b.route(s, [path]);
    b.plugin('ip-restriction', { allow: ['10.0.0.0/8', '2001:db8::/32'], deny: ['10.9.0.0/16'] }, { route: r('/ip') });
    b.plugin('ip-restriction', { deny: ['192.0.2.7'], status: 401, message: 'go away' }, { route: r('/ip-custom') });
    b.plugin('request-size-limiting', { allowed_payload_size: 10, size_unit: 'bytes' }, { route: r('/size') });
    b.plugin('request-size-limiting', { allowed_payload_size: 1, size_unit: 'kilobytes', require_content_length: true }, { route: r('/size-cl') });
    b.plugin('request-termination', {}, { route: r('/term-default') });
    b.plugin('request-termination', { status_code: 418, message: 'teapot' }, { route: r('/term-message') });
    b.plugin('request-termination', { status_code: 200, body: '<h1>bye</h1>', content_type: 'text/html' }, { route: r('/term-body') });
    b.plugin('request-termination', { status_code: 403, trigger: 'x-stop' }, { route: r('/term-trigger') });
    b.plugin('cors', { origins: ['https://a.example', 'https://.*\\.b\\.example'], credentials: true, max_age: 600, exposed_headers: ['x-total'], headers: ['x-one', 'x-two'] }, { route: r('/cors') });
    b.plugin('cors', {}, { route: r('/cors-any') });
    b.plugin('correlation-id', { echo_downstream: true }, { route: r('/cid') });
    b.plugin('correlation-id', { header_name: 'X-Trace', generator: 'uuid' }, { route: r('/cid-uuid') });
    await kit.start();
  });
  afterAll(() => kit.close());

  it.each([
    ['10.1.2.3', 200],
    ['10.9.1.1', 403],
    ['192.168.1.1', 403],
    ['2001:db8::1', 200],
    ['2001:db9::1', 403],
    ['::ffff:10.1.2.3', 200],
  ])('ip-restriction allow/deny CIDRs: %s -> %i', async (ip, status) => {
    const res = await kit.get('/ip/x', { 'x-forwarded-for': ip });
    expect(res.status).toBe(status);
    if (status === 403) expect(res.json.message).toBe('IP address not allowed');
  });

  it('ip-restriction custom status and message', async () => {
    const res = await kit.get('/ip-custom/x', { 'x-forwarded-for': '192.0.2.7' });
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('go away');
    expect((await kit.get('/ip-custom/x', { 'x-forwarded-for': '192.0.2.8' })).status).toBe(200);
  });

  it('request-size-limiting: declared length, streamed body and required Content-Length', async () => {
    expect((await kit.send('POST', '/size/x', { body: '0123456789' })).status).toBe(200);
    const big = await kit.send('POST', '/size/x', { body: '0123456789A' });
    expect(big.status).toBe(413);
    expect(big.json).toEqual({ message: 'Request size limit exceeded' });
    const chunked = await kit.send('POST', '/size/x', { body: '0123456789AB', headers: { 'transfer-encoding': 'chunked' } });
    expect(chunked.status).toBe(413);
    const smallChunked = await kit.send('POST', '/size/x', { body: 'abc', headers: { 'transfer-encoding': 'chunked' } });
    expect(smallChunked.status).toBe(200);
    expect(smallChunked.json.body).toBe('abc');
    const noLength = await kit.send('POST', '/size-cl/x', { body: 'abc', headers: { 'transfer-encoding': 'chunked' } });
    expect(noLength.status).toBe(411);
    expect(noLength.json).toEqual({ message: 'A valid Content-Length header is required' });
  });

  it.each([
    ['/term-default/x', {}, 503, 'application/json; charset=utf-8', '{"message":"Service unavailable"}'],
    ['/term-message/x', {}, 418, 'application/json; charset=utf-8', '{"message":"teapot"}'],
    ['/term-body/x', {}, 200, 'text/html', '<h1>bye</h1>'],
    ['/term-trigger/x', { 'x-stop': '1' }, 403, 'application/json; charset=utf-8', '{"message":"Forbidden"}'],
  ])('request-termination %s', async (path, headers, status, type, body) => {
    const before = kit.upstream.requests;
    const res = await kit.get(path, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.headers['content-type']).toBe(type);
    expect(res.text).toBe(body);
    expect(kit.upstream.requests).toBe(before);
  });

  it('request-termination trigger absent -> proxied', async () => {
    expect((await kit.get('/term-trigger/x')).status).toBe(200);
  });

  it('cors preflight is answered by the gateway', async () => {
    const before = kit.upstream.requests;
    const res = await kit.send('OPTIONS', '/cors/x', { headers: { origin: 'https://x.b.example', 'access-control-request-method': 'PUT' } });
    expect(res.status).toBe(200);
    expect(res.headers['access-control-allow-origin']).toBe('https://x.b.example');
    expect(res.headers['access-control-allow-credentials']).toBe('true');
    expect(res.headers['access-control-allow-methods']).toBe('GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT');
    expect(res.headers['access-control-allow-headers']).toBe('x-one,x-two');
    expect(res.headers['access-control-max-age']).toBe('600');
    expect(res.headers.vary).toBe('Origin');
    expect(kit.upstream.requests).toBe(before);
  });

  it('cors on a proxied response: allowed, unknown and wildcard origins', async () => {
    const ok = await kit.get('/cors/x', { origin: 'https://a.example' });
    expect(ok.headers['access-control-allow-origin']).toBe('https://a.example');
    expect(ok.headers['access-control-expose-headers']).toBe('x-total');
    const other = await kit.get('/cors/x', { origin: 'https://evil.example' });
    expect(other.headers['access-control-allow-origin']).toBeUndefined();
    const any = await kit.get('/cors-any/x', { origin: 'https://whatever.example' });
    expect(any.headers['access-control-allow-origin']).toBe('*');
  });

  it('correlation-id: generated, kept when sent, echoed downstream', async () => {
    const first = await kit.get('/cid/x');
    const id = first.json.headers['kong-request-id'];
    expect(id).toMatch(/^[0-9a-f-]{36}#\d+$/);
    expect(first.headers['kong-request-id']).toBe(id);
    const second = await kit.get('/cid/x');
    expect(second.json.headers['kong-request-id']).not.toBe(id);
    const kept = await kit.get('/cid/x', { 'kong-request-id': 'mine' });
    expect(kept.json.headers['kong-request-id']).toBe('mine');
    expect(kept.headers['kong-request-id']).toBe('mine');
    const uuid = await kit.get('/cid-uuid/x');
    expect(uuid.json.headers['x-trace']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(uuid.headers['x-trace']).toBeUndefined();
  });
});
