// hmac-auth on a real node: credentials over the Admin API (by id and by username), signed requests with each
// algorithm, clock skew, enforce_headers, body digest, hide_credentials, anonymous, Kong's 401 bodies.
import { createHash, createHmac } from 'node:crypto';
import { startAuthNode, type AuthNode } from './node-kit';

const sign = (algo: string, secret: string, lines: string) => createHmac(algo.replace('hmac-', ''), secret).update(lines).digest('base64');

function signed(path: string, opts: { algo?: string; secret?: string; username?: string; date?: string; headers?: string[]; extra?: Record<string, string>; method?: string } = {}) {
  const algo = opts.algo ?? 'hmac-sha256';
  const date = opts.date ?? new Date().toUTCString();
  const names = opts.headers ?? ['date', 'request-line'];
  const values: Record<string, string> = { date, ...opts.extra };
  const lines = names.map((n) => (n === 'request-line' ? `${opts.method ?? 'GET'} ${path} HTTP/1.1` : n === '@request-target' ? `${n}: ${(opts.method ?? 'GET').toLowerCase()} ${path}` : `${n}: ${values[n]}`)).join('\n');
  const signature = sign(algo, opts.secret ?? 'alice-secret', lines);
  return {
    ...values,
    authorization: `hmac username="${opts.username ?? 'alice'}", algorithm="${algo}", headers="${names.join(' ')}", signature="${signature}"`,
  };
}

describe('hmac-auth', () => {
  let kit: AuthNode;
  let consumerId: string;

  beforeAll(async () => {
    kit = await startAuthNode();
    await kit.must('POST', '/services', { name: 's', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    for (const [name, config] of [
      ['plain', {}],
      ['strict', { enforce_headers: ['date', 'x-custom'], algorithms: ['hmac-sha512'], hide_credentials: true, realm: 'api' }],
      ['body', { validate_request_body: true }],
      ['anon', { anonymous: 'guest' }],
    ] as const) {
      await kit.must('POST', '/services/s/routes', { name, paths: [`/${name}`] }, 201);
      await kit.must('POST', `/routes/${name}/plugins`, { name: 'hmac-auth', config }, 201);
    }
    consumerId = (await kit.must('POST', '/consumers', { username: 'alice' }, 201)).id;
    await kit.must('POST', '/consumers', { username: 'guest' }, 201);
    await kit.must('POST', '/consumers/alice/hmac-auth', { username: 'alice', secret: 'alice-secret' }, 201);
  }, 60_000);
  afterAll(() => kit?.close());

  it('POST /consumers/{c}/hmac-auth generates a secret; GET by username and via /hmac-auths', async () => {
    const created = await kit.must('POST', '/consumers/alice/hmac-auth', { username: 'bob' }, 201);
    expect(created).toMatchObject({ username: 'bob', consumer: { id: consumerId }, tags: null });
    expect(typeof created.secret).toBe('string');
    expect((await kit.must('GET', '/consumers/alice/hmac-auth/bob', undefined, 200)).id).toBe(created.id);
    expect((await kit.must('GET', '/hmac-auths/bob', undefined, 200)).id).toBe(created.id);
    expect((await kit.must('PATCH', '/consumers/alice/hmac-auth/bob', { secret: 'new' }, 200)).secret).toBe('new');
    const missing = await kit.adminCall('POST', '/consumers/alice/hmac-auth', {});
    expect(missing.status).toBe(400);
    expect(missing.json.fields).toEqual({ username: 'required field missing' });
    await kit.must('DELETE', '/consumers/alice/hmac-auth/bob', undefined, 204);
    expect((await kit.adminCall('GET', '/hmac-auths/bob')).status).toBe(404);
  });

  it('GET /schemas/plugins/hmac-auth is Kong\'s schema', async () => {
    const body = await kit.must('GET', '/schemas/plugins/hmac-auth', undefined, 200);
    const config = body.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const fields = Object.assign({}, ...config.fields);
    expect(fields.clock_skew).toMatchObject({ type: 'number', default: 300, gt: 0 });
    expect(fields.algorithms.default).toEqual(['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512']);
    expect(fields.validate_request_body).toMatchObject({ type: 'boolean', default: false, required: true });
  });

  it.each(['hmac-sha1', 'hmac-sha256', 'hmac-sha384', 'hmac-sha512'])('a request signed with %s reaches the upstream as alice', async (algo) => {
    const r = await kit.until('GET', '/plain/x?q=1', (res) => res.status !== 404, { headers: signed('/plain/x?q=1', { algo }) });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-consumer-username']).toBe('alice');
    expect(r.json.headers['x-credential-identifier']).toBe('alice');
    expect(r.json.headers.authorization).toMatch(/^hmac /);
  });

  it.each([
    ['no authorization', {}, 'Unauthorized'],
    ['no date', { authorization: 'hmac username="alice", algorithm="hmac-sha256", headers="date", signature="x"' }, 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication'],
    ['date outside the clock skew', signed('/plain/x', { date: new Date(Date.now() - 400_000).toUTCString() }), 'HMAC signature cannot be verified, a valid date or x-date header is required for HMAC Authentication'],
    ['unknown user', signed('/plain/x', { username: 'nobody' }), 'HMAC signature cannot be verified'],
    ['wrong secret', signed('/plain/x', { secret: 'wrong' }), 'HMAC signature does not match'],
    ['signature over another path', signed('/plain/other'), 'HMAC signature does not match'],
  ])('%s -> 401 with Kong\'s message', async (_name, headers, message) => {
    const r = await kit.proxyCall('GET', '/plain/x', { headers: headers as Record<string, string> });
    expect(r.status).toBe(401);
    expect(r.json.message).toBe(message);
    expect(r.headers['www-authenticate']).toBe('hmac');
  });

  it('enforce_headers and algorithms are required; hide_credentials strips the header; realm in the challenge', async () => {
    const weak = await kit.proxyCall('GET', '/strict/x', { headers: signed('/strict/x', { algo: 'hmac-sha512' }) });
    expect(weak.status).toBe(401);
    expect(weak.json.message).toBe('HMAC signature cannot be verified');
    expect(weak.headers['www-authenticate']).toBe('hmac realm="api"');
    const sha256 = await kit.proxyCall('GET', '/strict/x', { headers: signed('/strict/x', { headers: ['date', 'x-custom'], extra: { 'x-custom': 'v' } }) });
    expect(sha256.status).toBe(401);
    const ok = await kit.proxyCall('GET', '/strict/x', { headers: signed('/strict/x', { algo: 'hmac-sha512', headers: ['date', 'x-custom', '@request-target'], extra: { 'x-custom': 'v' } }) });
    expect(ok.status).toBe(200);
    expect(ok.json.headers.authorization).toBeUndefined();
  });

  it('validate_request_body checks the Digest header against the body', async () => {
    const body = '{"a":1}';
    const digest = `SHA-256=${createHash('sha256').update(body).digest('base64')}`;
    const headers = { ...signed('/body/x', { method: 'POST', headers: ['date', 'digest'], extra: { digest } }), 'content-type': 'application/json' };
    expect((await kit.proxyCall('POST', '/body/x', { body, headers })).status).toBe(200);
    const tampered = await kit.proxyCall('POST', '/body/x', { body: '{"a":2}', headers });
    expect(tampered.status).toBe(401);
    expect(tampered.json.message).toBe('HMAC signature does not match');
  });

  it('anonymous: a failed signature proxies as the anonymous consumer', async () => {
    const r = await kit.proxyCall('GET', '/anon/x', { headers: signed('/anon/x', { secret: 'bad' }) });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-consumer-username']).toBe('guest');
    expect(r.json.headers['x-anonymous-consumer']).toBe('true');
  });
});
