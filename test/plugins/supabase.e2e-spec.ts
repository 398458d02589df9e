// Supabase's self-hosting gateway file, in DB-less mode on a real `tollgate start` node: its placeholders are
// substituted as its entrypoint does, then every kind of route is replayed against a local echo upstream and
// the post-function snippets and request-transformer Lua expressions must behave as in Kong.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http, type Reply } from '../support/http';
import { waitFor } from '../support/wait';

const KEYS = {
  SUPABASE_ANON_KEY: 'legacy-anon-jwt',
  SUPABASE_SERVICE_KEY: 'legacy-service-jwt',
  SUPABASE_PUBLISHABLE_KEY: 'sb_publishable_abc123',
  SUPABASE_SECRET_KEY: 'sb_secret_xyz789',
  ANON_KEY_ASYMMETRIC: 'anon-asymmetric-jwt',
  SERVICE_ROLE_KEY_ASYMMETRIC: 'service-asymmetric-jwt',
  DASHBOARD_USERNAME: 'supabase',
  DASHBOARD_PASSWORD: 'this_password_is_insecure',
};

/** The expressions Supabase's entrypoint exports when opaque (sb_) keys are configured. */
function expressions(): Record<string, string> {
  const k = KEYS;
  return {
    LUA_AUTH_EXPR: `$((headers.authorization ~= nil and headers.authorization:sub(1, 10) ~= 'Bearer sb_' and headers.authorization) or (headers.apikey == '${k.SUPABASE_SECRET_KEY}' and 'Bearer ${k.SERVICE_ROLE_KEY_ASYMMETRIC}') or (headers.apikey == '${k.SUPABASE_PUBLISHABLE_KEY}' and 'Bearer ${k.ANON_KEY_ASYMMETRIC}') or headers.apikey)`,
    LUA_RT_WS_EXPR: `$((query_params.apikey == '${k.SUPABASE_SECRET_KEY}' and '${k.SERVICE_ROLE_KEY_ASYMMETRIC}') or (query_params.apikey == '${k.SUPABASE_PUBLISHABLE_KEY}' and '${k.ANON_KEY_ASYMMETRIC}') or query_params.apikey)`,
    LUA_FUNCTIONS_EXPR: `$((headers.apikey == '${k.SUPABASE_SECRET_KEY}' and '${k.SERVICE_ROLE_KEY_ASYMMETRIC}') or (headers.apikey == '${k.SUPABASE_PUBLISHABLE_KEY}' and '${k.ANON_KEY_ASYMMETRIC}') or nil)`,
  };
}

/** The entrypoint's substitution: `$NAME` of a defined variable is replaced, others are left; empty key lines go. */
function substitute(text: string, vars: Record<string, string>): string {
  return text
    .split('\n')
    .map((line) => line.replace(/\$([A-Za-z_][A-Za-z_0-9]*)/g, (whole, name: string) => (name in vars ? vars[name] : whole)))
    .filter((line) => !/^\s*- key:\s*$/.test(line))
    .join('\n');
}

describe('Supabase self-hosting kong.yml on a DB-less node', () => {
  let node: RunningNode;
  let upstream: EchoUpstream;
  let proxy: string;

  const get = (path: string, headers: Record<string, string> = {}) => http('GET', `${proxy}${path}`, { headers });
  const seen = (r: Reply) => r.json as { path: string; query: Record<string, string>; headers: Record<string, string | undefined> };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const prefix = tempPrefix();
    const file = join(prefix, 'kong.yml');
    const template = readFileSync(join(__dirname, 'fixtures', 'supabase-kong.yml'), 'utf8');
    writeFileSync(file, substitute(template, { ...KEYS, ...expressions(), UPSTREAM_PORT: String(upstream.port) }));
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file })), '-p', prefix]);
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    await waitFor(async () => ((await get('/auth/v1/verify')).status === 200 ? true : undefined), 'the declarative config to serve');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await upstream?.close();
  });

  it('open routes proxy without credentials', async () => {
    const r = await get('/auth/v1/verify?token=t');
    expect(r.status).toBe(200);
    expect(seen(r).path).toBe('/verify');
  });

  it('GET /rest/v1/ without a key: key-auth answers 401', async () => {
    const r = await get('/rest/v1/todos');
    expect(r.status).toBe(401);
    expect(r.json.message).toBe('No API key found in request');
  });

  it.each([
    ['a legacy anon key is forwarded as Authorization', { apikey: KEYS.SUPABASE_ANON_KEY }, KEYS.SUPABASE_ANON_KEY, 'anon'],
    ['a publishable key becomes the anon asymmetric JWT', { apikey: KEYS.SUPABASE_PUBLISHABLE_KEY }, `Bearer ${KEYS.ANON_KEY_ASYMMETRIC}`, 'anon'],
    ['a secret key becomes the service_role asymmetric JWT', { apikey: KEYS.SUPABASE_SECRET_KEY }, `Bearer ${KEYS.SERVICE_ROLE_KEY_ASYMMETRIC}`, 'service_role'],
    ['a user session JWT passes through', { apikey: KEYS.SUPABASE_ANON_KEY, authorization: 'Bearer user-session-jwt' }, 'Bearer user-session-jwt', 'anon'],
    ['a Bearer sb_ key is translated from apikey', { apikey: KEYS.SUPABASE_SECRET_KEY, authorization: `Bearer ${KEYS.SUPABASE_SECRET_KEY}` }, `Bearer ${KEYS.SERVICE_ROLE_KEY_ASYMMETRIC}`, 'service_role'],
  ])('GET /rest/v1/: %s', async (_name, headers, authorization, consumer) => {
    const r = await get('/rest/v1/todos?select=*', headers);
    expect(r.status).toBe(200);
    const up = seen(r);
    expect(up.path).toBe('/todos');
    expect(up.query).toEqual({ select: '*' });
    expect(up.headers.authorization).toBe(authorization);
    expect(up.headers['x-consumer-username']).toBe(consumer);
    expect(up.headers['x-consumer-groups']).toBeUndefined(); // hide_groups_header
  });

  it('GET /graphql/v1 adds Content-Profile and goes to /rpc/graphql', async () => {
    const r = await get('/graphql/v1', { apikey: KEYS.SUPABASE_PUBLISHABLE_KEY });
    expect(r.status).toBe(200);
    expect(seen(r).path).toBe('/rpc/graphql');
    expect(seen(r).headers['content-profile']).toBe('graphql_public');
    expect(seen(r).headers.authorization).toBe(`Bearer ${KEYS.ANON_KEY_ASYMMETRIC}`);
  });

  it('GET /realtime/v1/api: the query apikey is translated into x-api-key and the query', async () => {
    const r = await get(`/realtime/v1/api/ping?apikey=${KEYS.SUPABASE_SECRET_KEY}`);
    expect(r.status).toBe(200);
    expect(seen(r).path).toBe('/api/ping');
    expect(seen(r).headers['x-api-key']).toBe(KEYS.SERVICE_ROLE_KEY_ASYMMETRIC);
    expect(seen(r).query).toEqual({ apikey: KEYS.SERVICE_ROLE_KEY_ASYMMETRIC });
  });

  it('blocked realtime tenants answer 403 with the configured message', async () => {
    const r = await get('/realtime/v1/api/tenants', { apikey: KEYS.SUPABASE_SECRET_KEY });
    expect(r.status).toBe(403);
    expect(r.json).toEqual({ message: 'Access is forbidden.' });
  });

  it('GET /pg/ is for the admin group only (acl)', async () => {
    const anon = await get('/pg/tables', { apikey: KEYS.SUPABASE_ANON_KEY });
    expect(anon.status).toBe(403);
    expect(anon.json.message).toBe('You cannot consume this service');
    const admin = await get('/pg/tables', { apikey: KEYS.SUPABASE_SERVICE_KEY });
    expect(admin.status).toBe(200);
    expect(seen(admin).path).toBe('/tables');
  });

  it('storage: with no credentials the post-function strips the empty Authorization the expression rendered', async () => {
    const r = await get('/storage/v1/object/public/bucket/file.png?X-Amz-Signature=abc');
    expect(r.status).toBe(200);
    expect(seen(r).path).toBe('/object/public/bucket/file.png');
    expect('authorization' in seen(r).headers).toBe(false);
  });

  it('storage: an apikey is translated and kept by the post-function', async () => {
    const r = await get('/storage/v1/object/x', { apikey: KEYS.SUPABASE_PUBLISHABLE_KEY });
    expect(seen(r).headers.authorization).toBe(`Bearer ${KEYS.ANON_KEY_ASYMMETRIC}`);
  });

  it('functions: a spoofed sb-api-key is removed and the translated key added; none when there is no key', async () => {
    const withKey = await get('/functions/v1/hello', { apikey: KEYS.SUPABASE_SECRET_KEY, 'sb-api-key': 'spoofed', authorization: 'Bearer user' });
    expect(withKey.status).toBe(200);
    expect(seen(withKey).headers['sb-api-key']).toBe(KEYS.SERVICE_ROLE_KEY_ASYMMETRIC);
    expect(seen(withKey).headers.authorization).toBe('Bearer user');
    const without = await get('/functions/v1/hello', { 'sb-api-key': 'spoofed' });
    expect(without.status).toBe(200);
    expect('sb-api-key' in seen(without).headers).toBe(false);
  });

  it('the dashboard needs the basic-auth credentials, which are hidden from the upstream', async () => {
    expect((await get('/project/default')).status).toBe(401);
    const basic = 'Basic ' + Buffer.from(`${KEYS.DASHBOARD_USERNAME}:${KEYS.DASHBOARD_PASSWORD}`).toString('base64');
    const r = await get('/project/default', { authorization: basic });
    expect(r.status).toBe(200);
    expect(seen(r).path).toBe('/project/default');
    expect(seen(r).headers.authorization).toBeUndefined();
  });

  it('cors answers a preflight on a secure route', async () => {
    const r = await http('OPTIONS', `${proxy}/rest/v1/todos`, { headers: { origin: 'http://studio.test', 'access-control-request-method': 'POST' } });
    expect(r.status).toBe(200);
    expect(r.headers['access-control-allow-origin']).toBe('*');
  });
});
