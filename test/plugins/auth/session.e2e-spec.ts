// session on a real node: key-auth or basic-auth logs a consumer in once, the session cookie keeps it
// authenticated (cookie and kong storage), logout by method + query/body argument, idling and absolute timeouts,
// Kong's cookie attributes and legacy shorthand fields.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { startAuthNode, type AuthNode } from './node-kit';
import { waitFor } from '../../support/wait';

// the node's own SQLite driver, read-only: session_metadatas has no Admin API
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Database = require('better-sqlite3') as new (file: string, opts: { readonly: boolean }) => {
  prepare(sql: string): { get(...args: unknown[]): unknown };
  close(): void;
};

const cookieOf = (setCookie: string | string[] | undefined, name = 'session'): string | undefined => {
  const list = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : [];
  const hit = list.find((c) => c.startsWith(`${name}=`));
  return hit ? hit.split(';')[0] : undefined;
};

describe('session', () => {
  let kit: AuthNode;

  beforeAll(async () => {
    kit = await startAuthNode();
    await kit.must('POST', '/services', { name: 's', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/consumers', { username: 'anon' }, 201);
    await kit.must('POST', '/consumers', { username: 'alice', custom_id: 'c-1' }, 201);
    await kit.must('POST', '/consumers/alice/key-auth', { key: 'alice-key' }, 201);
    await kit.must('POST', '/consumers/alice/basic-auth', { username: 'alice', password: 'pw' }, 201);
    const routes: Array<[string, Record<string, unknown>, string]> = [
      ['cookie', { secret: 'cookie-secret', cookie_secure: false }, 'key-auth'],
      ['kong', { secret: 'kong-secret', storage: 'kong', cookie_name: 'sid', cookie_same_site: 'Lax', response_headers: ['id', 'timeout'], read_body_for_logout: true, store_metadata: true, hash_subject: true }, 'key-auth'],
      ['idle', { secret: 'idle-secret', idling_timeout: 2 }, 'key-auth'],
      ['absolute', { secret: 'abs-secret', absolute_timeout: 2, idling_timeout: 0 }, 'key-auth'],
      ['rolling', { secret: 'roll-secret', rolling_timeout: 4, idling_timeout: 0, storage: 'kong', stale_ttl: 1 }, 'key-auth'],
      ['basic', { secret: 'basic-secret', cookie_lifetime: 120, cookie_samesite: 'off', cookie_persistent: true }, 'basic-auth'],
    ];
    for (const [name, config, auth] of routes) {
      await kit.must('POST', '/services/s/routes', { name, paths: [`/${name}`] }, 201);
      await kit.must('POST', `/routes/${name}/plugins`, { name: 'session', config }, 201);
      await kit.must('POST', `/routes/${name}/plugins`, { name: auth, config: { anonymous: 'anon' } }, 201);
      await kit.must('POST', `/routes/${name}/plugins`, { name: 'request-termination', consumer: { username: 'anon' }, config: { status_code: 401, message: 'login first' } }, 201);
    }
  }, 60_000);
  afterAll(() => kit?.close());

  const login = async (route: string, headers: Record<string, string> = { apikey: 'alice-key' }, name = 'session') => {
    const r = await kit.until('GET', `/${route}/x`, (res) => res.status === 200 && cookieOf(res.headers['set-cookie'], name) !== undefined, { headers });
    return { reply: r, cookie: cookieOf(r.headers['set-cookie'], name)! };
  };

  it('GET /schemas/plugins/session: Kong\'s defaults', async () => {
    const body = await kit.must('GET', '/schemas/plugins/session', undefined, 200);
    const config = body.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const f = Object.assign({}, ...config.fields);
    expect(f.storage).toMatchObject({ default: 'cookie', one_of: ['cookie', 'kong'] });
    expect(f.cookie_same_site).toMatchObject({ default: 'Strict', one_of: ['Strict', 'Lax', 'None', 'Default'] });
    expect(f.logout_methods.default).toEqual(['POST', 'DELETE']);
    expect([f.idling_timeout.default, f.rolling_timeout.default, f.absolute_timeout.default]).toEqual([900, 3600, 86400]);
    expect(config.shorthand_fields.map((s: object) => Object.keys(s)[0])).toContain('cookie_lifetime');
  });

  it('storage = cookie: key-auth logs in, then the cookie alone authenticates; it is sealed with the secret', async () => {
    const { reply, cookie } = await login('cookie');
    expect(reply.json.headers['x-consumer-username']).toBe('alice');
    const setCookie = ([] as string[]).concat(reply.headers['set-cookie'] as string[])[0];
    expect(setCookie).toMatch(/^session=[A-Za-z0-9_-]+; Path=\/; SameSite=Strict; HttpOnly$/);
    const again = await kit.proxyCall('GET', '/cookie/x', { headers: { cookie } });
    expect(again.status).toBe(200);
    expect(again.json.headers).toMatchObject({ 'x-consumer-username': 'alice', 'x-consumer-custom-id': 'c-1' });
    expect(again.json.headers['x-anonymous-consumer']).toBeUndefined();
    const forged = await kit.proxyCall('GET', '/cookie/x', { headers: { cookie: `${cookie.slice(0, -2)}AA` } });
    expect(forged.status).toBe(401);
    // another plugin instance (another secret) cannot open it
    expect((await kit.proxyCall('GET', '/idle/x', { headers: { cookie } })).status).toBe(401);
  });

  it('storage = kong: the cookie holds an id, the data is a sessions row; logout by query and by body', async () => {
    const { reply, cookie } = await login('kong', { apikey: 'alice-key' }, 'sid');
    expect(([] as string[]).concat(reply.headers['set-cookie'] as string[])[0]).toMatch(/; SameSite=Lax; Secure; HttpOnly$/);
    const again = await kit.until('GET', '/kong/x', (r) => r.status === 200, { headers: { cookie } });
    expect(again.json.headers['x-consumer-username']).toBe('alice');
    expect(again.headers['session-id']).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(Number(again.headers['session-timeout'])).toBeGreaterThan(800);
    const rows = await kit.must('GET', '/sessions', undefined, 200);
    expect(rows.data.map((r: { session_id: string }) => r.session_id)).toContain(again.headers['session-id']);
    // store_metadata: a session_metadatas row (no Admin API, as Kong) with the hashed subject
    const db = new Database(join(kit.node.prefix, 'tollgate.db'), { readonly: true });
    try {
      const meta = await waitFor(async () => db.prepare('SELECT sid, audience, subject FROM session_metadatas WHERE sid = ?').get(again.headers['session-id']) as Record<string, string> | undefined, 'the session metadata row');
      expect(meta).toEqual({ sid: again.headers['session-id'], audience: 'default', subject: createHash('sha256').update('alice').digest('base64url') });
    } finally {
      db.close();
    }
    // GET is not a logout method by default
    expect((await kit.proxyCall('GET', '/kong/x?session_logout=true', { headers: { cookie } })).status).toBe(200);
    const out = await kit.proxyCall('POST', '/kong/x?session_logout=true', { headers: { cookie } });
    expect(out.status).toBe(200);
    expect(out.text).toBe('');
    expect(([] as string[]).concat(out.headers['set-cookie'] as string[])[0]).toMatch(/^sid=; Path=\/; Expires=Thu, 01 Jan 1970 00:00:01 GMT; Max-Age=0/);
    expect((await kit.proxyCall('GET', '/kong/x', { headers: { cookie } })).status).toBe(401);
    expect((await kit.must('GET', '/sessions', undefined, 200)).data.map((r: { session_id: string }) => r.session_id)).not.toContain(again.headers['session-id']);
    const second = await login('kong', { apikey: 'alice-key' }, 'sid');
    await kit.until('GET', '/kong/x', (r) => r.status === 200, { headers: { cookie: second.cookie } });
    const byBody = await kit.proxyCall('DELETE', '/kong/x', { body: 'session_logout=1', headers: { cookie: second.cookie, 'content-type': 'application/x-www-form-urlencoded', 'content-length': '16' } });
    expect([byBody.status, byBody.text]).toEqual([200, ""]);
    expect((await kit.proxyCall('GET', '/kong/x', { headers: { cookie: second.cookie } })).status).toBe(401);
  });

  it('idling_timeout: an unused session ends; absolute_timeout ends it even when used', async () => {
    const idle = await login('idle');
    expect((await kit.proxyCall('GET', '/idle/x', { headers: { cookie: idle.cookie } })).status).toBe(200);
    const idled = await kit.until('GET', '/idle/x', (r) => r.status === 401, { headers: { cookie: idle.cookie } });
    expect(idled.json.message).toBe('login first');
    const abs = await login('absolute');
    let cookie = abs.cookie;
    const ended = await kit.until('GET', '/absolute/x', (r) => {
      cookie = cookieOf(r.headers['set-cookie']) ?? cookie;
      return r.status === 401;
    }, { headers: { cookie } });
    expect(ended.status).toBe(401);
  }, 20_000);

  it('rolling_timeout: a used session is renewed with a new id before it runs out; the old id goes stale', async () => {
    const { cookie: first } = await login('rolling');
    const firstId = (await kit.until('GET', '/rolling/x', (r) => r.status === 200, { headers: { cookie: first } })).json.headers['x-credential-identifier'];
    let cookie = first;
    // keep using the session past its rolling timeout: every answer is 200 because it is renewed on the way
    const started = Date.now();
    let renewed = false;
    while (Date.now() - started < 5000) {
      const r = await kit.proxyCall('GET', '/rolling/x', { headers: { cookie } });
      expect(r.status).toBe(200);
      expect(r.json.headers['x-credential-identifier']).toBe(firstId);
      const next = cookieOf(r.headers['set-cookie']);
      if (next && next !== cookie) { renewed = true; cookie = next; }
    }
    expect(renewed).toBe(true);
    expect((await kit.until('GET', '/rolling/x', (r) => r.status === 401, { headers: { cookie: first } })).json.message).toBe('login first');
  }, 20_000);

  it('basic-auth login with legacy fields: cookie_persistent makes a remember cookie with Max-Age', async () => {
    const auth = { authorization: `Basic ${Buffer.from('alice:pw').toString('base64')}` };
    const { reply, cookie } = await login('basic', auth, 'remember');
    const set = ([] as string[]).concat(reply.headers['set-cookie'] as string[])[0];
    expect(set).toMatch(/; Max-Age=604800; SameSite=Lax; Secure; HttpOnly$/);
    const again = await kit.proxyCall('GET', '/basic/x', { headers: { cookie } });
    expect(again.status).toBe(200);
    expect(again.json.headers['x-consumer-username']).toBe('alice');
    const plugins = await kit.must('GET', '/routes/basic/plugins', undefined, 200);
    const session = plugins.data.find((p: { name: string }) => p.name === 'session');
    expect(session.config).toMatchObject({ rolling_timeout: 120, cookie_same_site: 'Lax', remember: true });
    expect(session.config.cookie_lifetime).toBeUndefined();
  });
});
