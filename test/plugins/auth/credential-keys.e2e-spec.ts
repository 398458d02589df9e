// Credentials addressed by their endpoint key as in Kong (go-kong uses these), key-auth's expiring keys, and
// rate-limiting's flat redis_* shorthand fields.
import { startAuthNode, type AuthNode } from './node-kit';
import { waitFor } from '../../support/wait';

describe('credentials by endpoint key, key-auth ttl, config shorthands', () => {
  let kit: AuthNode;

  beforeAll(async () => {
    kit = await startAuthNode();
    await kit.must('POST', '/consumers', { username: 'alice' }, 201);
  }, 60_000);
  afterAll(() => kit?.close());

  it.each([
    ['acls', { group: 'admins' }, 'admins', 'group', { tags: ['t'] }],
    ['key-auth', { key: 'k-1' }, 'k-1', 'key', { tags: ['t'] }],
    ['basic-auth', { username: 'bob', password: 'pw' }, 'bob', 'username', { tags: ['t'] }],
    ['hmac-auth', { username: 'carol' }, 'carol', 'username', { secret: 's2' }],
    ['jwt', { key: 'iss-1' }, 'iss-1', 'key', { tags: ['t'] }],
    ['oauth2', { name: 'app', client_id: 'cid-1', redirect_uris: ['https://a/cb'] }, 'cid-1', 'client_id', { name: 'renamed' }],
  ])('GET|PATCH|DELETE /consumers/{c}/%s/{key}', async (segment, body, key, field, patch) => {
    const created = await kit.must('POST', `/consumers/alice/${segment}`, body, 201);
    const byKey = await kit.must('GET', `/consumers/alice/${segment}/${key}`, undefined, 200);
    expect(byKey.id).toBe(created.id);
    expect(byKey[field]).toBe(key);
    const patched = await kit.must('PATCH', `/consumers/alice/${segment}/${key}`, patch, 200);
    expect(patched).toMatchObject(patch);
    expect((await kit.adminCall('GET', `/consumers/alice/${segment}/no-such-${key}`)).status).toBe(404);
    await kit.must('DELETE', `/consumers/alice/${segment}/${key}`, undefined, 204);
    expect((await kit.adminCall('GET', `/consumers/alice/${segment}/${key}`)).status).toBe(404);
  });

  it('PUT /consumers/{c}/acls/{group} creates the group from the URL; /acls/{group} is not an address (Kong)', async () => {
    const put = await kit.must('PUT', '/consumers/alice/acls/ops', {}, 200);
    expect(put.group).toBe('ops');
    const top = await kit.adminCall('GET', '/acls/ops');
    expect(top.status).toBe(400);
    expect(top.json.message).toBe('invalid primary key: \'{id="expected a valid UUID"}\'');
    expect((await kit.must('GET', `/acls/${put.id}`, undefined, 200)).group).toBe('ops');
  });

  it('key-auth ttl: the seconds left decrease; the key stops working, then is removed', async () => {
    await kit.must('POST', '/services', { name: 's', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services/s/routes', { name: 'r', paths: ['/r'] }, 201);
    await kit.must('POST', '/routes/r/plugins', { name: 'key-auth' }, 201);
    await kit.until('GET', '/r/x', (r) => r.status === 401);
    const created = await kit.must('POST', '/consumers/alice/key-auth', { key: 'short', ttl: 3 }, 201);
    expect(created.ttl).toBeLessThan(3);
    expect(created.ttl).toBeGreaterThanOrEqual(1);
    const ok = await kit.until('GET', '/r/x', (r) => r.status === 200, { headers: { apikey: 'short' } });
    expect(ok.json.headers['x-consumer-username']).toBe('alice');
    const denied = await kit.until('GET', '/r/x', (r) => r.status === 401, { headers: { apikey: 'short' } });
    expect(denied.json.message).toBe('Unauthorized');
    await waitFor(async () => ((await kit.adminCall('GET', '/key-auths/short')).status === 404 ? true : undefined), 'the expired key to be removed');
    const list = await kit.must('GET', '/consumers/alice/key-auth', undefined, 200);
    expect(list.data.map((k: { key: string }) => k.key)).not.toContain('short');
  }, 20_000);

  it('rate-limiting: redis_* shorthands map onto config.redis and are echoed back', async () => {
    const created = await kit.must('POST', '/plugins', {
      name: 'rate-limiting',
      config: { minute: 10, policy: 'redis', redis_host: '127.0.0.1', redis_port: 6380, redis_database: 2, redis_ssl: false, redis_timeout: 1500, redis_password: 'pw' },
    }, 201);
    expect(created.config.redis).toMatchObject({ host: '127.0.0.1', port: 6380, database: 2, ssl: false, timeout: 1500, password: 'pw' });
    expect(created.config).toMatchObject({ redis_host: '127.0.0.1', redis_port: 6380, redis_database: 2, redis_timeout: 1500, redis_password: 'pw', redis_username: null });
    const patched = await kit.must('PATCH', `/plugins/${created.id}`, { config: { redis_host: '10.0.0.1' } }, 200);
    expect(patched.config.redis.host).toBe('10.0.0.1');
    expect(patched.config.redis.port).toBe(6380);
    expect(patched.config.redis_host).toBe('10.0.0.1');
    const nested = await kit.must('PATCH', `/plugins/${created.id}`, { config: { redis: { host: '10.0.0.2' } } }, 200);
    expect(nested.config.redis_host).toBe('10.0.0.2');
    const mismatch = await kit.adminCall('POST', '/plugins', { name: 'rate-limiting', config: { minute: 1, redis_host: 'a', redis: { host: 'b' } } });
    expect(mismatch.status).toBe(400);
    expect(mismatch.json.fields.config.redis_host).toBe('both deprecated and new field are used but their values mismatch: redis_host = a vs redis.host = b');
    const badType = await kit.adminCall('POST', '/plugins', { name: 'rate-limiting', config: { minute: 1, redis_port: 'x' } });
    expect(badType.json.fields.config.redis_port).toBe('expected an integer');
    const schema = await kit.must('GET', '/schemas/plugins/rate-limiting', undefined, 200);
    const config = schema.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.shorthand_fields.map((s: Record<string, unknown>) => Object.keys(s)[0])).toEqual([
      'redis_host', 'redis_port', 'redis_password', 'redis_username', 'redis_ssl', 'redis_ssl_verify', 'redis_server_name', 'redis_timeout', 'redis_database',
    ]);
    await kit.must('DELETE', `/plugins/${created.id}`, undefined, 204);
  });
});
