// The auth plugins from a declarative file (database = off): credentials nested under consumers, plugin configs
// with legacy shorthand fields, and what DB-less cannot do (oauth2 tokens need a database, as in Kong).
import { createHmac } from 'node:crypto';
import { startAuthNode, type AuthNode } from './node-kit';

const config = (port: number) => JSON.stringify({
  _format_version: '3.0',
  services: [{
    name: 's', url: `http://127.0.0.1:${port}`,
    routes: [
      { name: 'hmac', paths: ['/hmac'], plugins: [{ name: 'hmac-auth', config: { algorithms: ['hmac-sha256'] } }] },
      {
        name: 'sess', paths: ['/sess'],
        plugins: [
          { name: 'session', config: { secret: 'declared-secret', cookie_secure: false, cookie_idletime: 600 } },
          { name: 'key-auth', config: { anonymous: 'anon' } },
          { name: 'request-termination', consumer: 'anon', config: { status_code: 401, message: 'login first' } },
        ],
      },
      { name: 'oauth', paths: ['/oauth'], plugins: [{ name: 'oauth2', config: { enable_client_credentials: true, provision_key: 'pk' } }] },
      { name: 'rl', paths: ['/rl'], plugins: [{ name: 'rate-limiting', config: { minute: 5, policy: 'local', redis_host: 'redis.internal', redis_port: 6390 } }] },
    ],
  }],
  consumers: [
    { username: 'anon' },
    {
      username: 'alice',
      hmacauth_credentials: [{ username: 'alice', secret: 'declared' }],
      keyauth_credentials: [{ key: 'alice-key' }],
      oauth2_credentials: [{ name: 'app', client_id: 'cid', client_secret: 'cs', redirect_uris: ['https://a/cb'] }],
      acls: [{ group: 'staff' }],
    },
  ],
});

describe('auth plugins from a declarative file (database = off)', () => {
  let kit: AuthNode;

  beforeAll(async () => {
    kit = await startAuthNode({}, config);
  }, 60_000);
  afterAll(() => kit?.close());

  it('hmac-auth with a declared credential', async () => {
    const date = new Date().toUTCString();
    const signature = createHmac('sha256', 'declared').update(`date: ${date}`).digest('base64');
    const r = await kit.proxyCall('GET', '/hmac/x', { headers: { date, authorization: `hmac username="alice", algorithm="hmac-sha256", headers="date", signature="${signature}"` } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-consumer-username']).toBe('alice');
  });

  it('session with key-auth: log in once, the cookie keeps alice authenticated; cookie_idletime became idling_timeout', async () => {
    const first = await kit.proxyCall('GET', '/sess/x', { headers: { apikey: 'alice-key' } });
    expect(first.status).toBe(200);
    const cookie = ([] as string[]).concat(first.headers['set-cookie'] as string[])[0].split(';')[0];
    const again = await kit.proxyCall('GET', '/sess/x', { headers: { cookie } });
    expect(again.json.headers['x-consumer-username']).toBe('alice');
    const plugins = await kit.must('GET', '/routes/sess/plugins', undefined, 200);
    expect(plugins.data.find((p: { name: string }) => p.name === 'session').config.idling_timeout).toBe(600);
  });

  it('credentials are addressable by endpoint key in DB-less mode', async () => {
    expect((await kit.must('GET', '/consumers/alice/hmac-auth/alice', undefined, 200)).secret).toBe('declared');
    expect((await kit.must('GET', '/consumers/alice/oauth2/cid', undefined, 200)).name).toBe('app');
    expect((await kit.must('GET', '/consumers/alice/acls/staff', undefined, 200)).group).toBe('staff');
  });

  it('rate-limiting redis_* shorthands in the file map onto config.redis', async () => {
    const plugins = await kit.must('GET', '/routes/rl/plugins', undefined, 200);
    expect(plugins.data[0].config.redis).toMatchObject({ host: 'redis.internal', port: 6390 });
  });

  it('oauth2: tokens need a database, so the token endpoint fails with a 500 as Kong does in DB-less mode', async () => {
    const r = await kit.proxyCall('POST', '/oauth/oauth2/token', {
      body: 'grant_type=client_credentials&client_id=cid&client_secret=cs',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    // plain http is refused before any storage is needed
    expect(r.json).toEqual({ error: 'access_denied', error_description: 'You must use HTTPS' });
    const api = await kit.proxyCall('GET', '/oauth/x', { headers: { authorization: 'Bearer abc' } });
    expect(api.status).toBe(500);
    expect(api.json.message).toBe('An unexpected error occurred');
  });
});
