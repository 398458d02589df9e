// oauth2 on a real node: the four grants through /oauth2/token and /oauth2/authorize on the proxy, tokens stored
// by the data plane through the control plane (visible at /oauth2_tokens), expiry, refresh, global_credentials,
// provision_key, PKCE, HTTPS and accept_http_if_already_terminated.
import { createHash } from 'node:crypto';
import { startAuthNode, type AuthNode } from './node-kit';

const form = (fields: Record<string, string>) => ({
  body: new URLSearchParams(fields).toString(),
  headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https' },
});

describe('oauth2', () => {
  let kit: AuthNode;
  let provisionKey: string;
  let clientSecret: string;
  let consumerId: string;

  beforeAll(async () => {
    // 127.0.0.1 is a trusted proxy: its X-Forwarded-Proto: https counts with accept_http_if_already_terminated
    kit = await startAuthNode({ trusted_ips: '127.0.0.1' });
    await kit.must('POST', '/services', { name: 's', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services', { name: 's2', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services/s/routes', { name: 'api', paths: ['/api'] }, 201);
    await kit.must('POST', '/services/s2/routes', { name: 'other', paths: ['/other'] }, 201);
    await kit.must('POST', '/services/s2/routes', { name: 'plainhttp', paths: ['/plainhttp'] }, 201);
    await kit.must('POST', '/services', { name: 'g1', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services', { name: 'g2', url: `http://127.0.0.1:${kit.upstreamPort}` }, 201);
    await kit.must('POST', '/services/g1/routes', { name: 'global1', paths: ['/global1'] }, 201);
    await kit.must('POST', '/services/g2/routes', { name: 'global2', paths: ['/global2'] }, 201);
    for (const svc of ['g1', 'g2']) {
      await kit.must('POST', `/services/${svc}/plugins`, { name: 'oauth2', config: { enable_client_credentials: true, accept_http_if_already_terminated: true, global_credentials: true, reuse_refresh_token: true } }, 201);
    }
    const plugin = await kit.must('POST', '/services/s/plugins', {
      name: 'oauth2',
      config: {
        scopes: ['email', 'profile'], enable_authorization_code: true, enable_implicit_grant: true, enable_client_credentials: true,
        enable_password_grant: true, accept_http_if_already_terminated: true, token_expiration: 5,
      },
    }, 201);
    provisionKey = plugin.config.provision_key;
    await kit.must('POST', '/routes/other/plugins', { name: 'oauth2', config: { enable_client_credentials: true, accept_http_if_already_terminated: true } }, 201);
    await kit.must('POST', '/routes/plainhttp/plugins', { name: 'oauth2', config: { enable_client_credentials: true } }, 201);
    consumerId = (await kit.must('POST', '/consumers', { username: 'alice' }, 201)).id;
    const app = await kit.must('POST', '/consumers/alice/oauth2', { name: 'app', client_id: 'app-id', redirect_uris: ['https://app.example/cb'] }, 201);
    clientSecret = app.client_secret;
    await kit.must('POST', '/consumers/alice/oauth2', { name: 'mobile', client_id: 'mobile-id', client_type: 'public', redirect_uris: ['https://mobile.example/cb'] }, 201);
  }, 60_000);
  afterAll(() => kit?.close());

  const token = (fields: Record<string, string>, path = '/api/oauth2/token') => kit.proxyCall('POST', path, form(fields));

  it('credentials: by client_id under the consumer and at /oauth2; schema checks as Kong', async () => {
    const got = await kit.must('GET', '/consumers/alice/oauth2/app-id', undefined, 200);
    expect(got).toMatchObject({ name: 'app', client_id: 'app-id', client_type: 'confidential', hash_secret: false, consumer: { id: consumerId } });
    expect((await kit.must('GET', '/oauth2/app-id', undefined, 200)).id).toBe(got.id);
    const bad = await kit.adminCall('POST', '/consumers/alice/oauth2', { name: 'x', redirect_uris: ['https://x/#frag', 'nope'] });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({ redirect_uris: ["fragment not allowed in 'https://x/#frag'", "cannot parse 'nope'"] });
    const noFlow = await kit.adminCall('POST', '/plugins', { name: 'oauth2', config: {} });
    expect(noFlow.status).toBe(400);
    expect(noFlow.json.fields.config).toBe('at least one of these fields must be true: enable_authorization_code, enable_implicit_grant, enable_client_credentials, enable_password_grant');
    const hashed = await kit.must('POST', '/consumers/alice/oauth2', { name: 'h', client_id: 'hashed', client_secret: 'pw', hash_secret: true, redirect_uris: ['https://h/cb'] }, 201);
    expect(hashed.client_secret).toMatch(/^\$pbkdf2-sha512\$/);
  });

  it('client_credentials: a token, then the API with it; the token is an entity at /oauth2_tokens', async () => {
    const issued = await kit.until('POST', '/api/oauth2/token', (r) => r.status === 200,
      form({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: clientSecret, scope: 'email' }));
    expect(issued.headers['cache-control']).toBe('no-store');
    expect(issued.json).toEqual({ access_token: expect.any(String), token_type: 'bearer', expires_in: 5 });
    const api = await kit.proxyCall('GET', '/api/data', { headers: { authorization: `Bearer ${issued.json.access_token}` } });
    expect(api.status).toBe(200);
    expect(api.json.headers).toMatchObject({ 'x-consumer-username': 'alice', 'x-credential-identifier': 'app-id', 'x-authenticated-scope': 'email' });
    const stored = await kit.must('GET', `/oauth2_tokens/${issued.json.access_token}`, undefined, 200);
    expect(stored).toMatchObject({ token_type: 'bearer', expires_in: 5, scope: 'email', refresh_token: null });
    // revoking over the Admin API takes effect on the proxy
    await kit.must('DELETE', `/oauth2_tokens/${stored.id}`, undefined, 204);
    const revoked = await kit.proxyCall('GET', '/api/data', { headers: { authorization: `Bearer ${issued.json.access_token}` } });
    expect(revoked.status).toBe(401);
    expect(revoked.json).toEqual({ error: 'invalid_token', error_description: 'The access token is invalid or has expired' });
    expect(revoked.headers['www-authenticate']).toBe('Bearer error="invalid_token", error_description="The access token is invalid or has expired"');
  });

  it('no token, unknown token, wrong method, bad client, HTTP without termination', async () => {
    const none = await kit.proxyCall('GET', '/api/data');
    expect(none.status).toBe(401);
    expect(none.json).toEqual({ error: 'invalid_request', error_description: 'The access token is missing' });
    expect(none.headers['www-authenticate']).toBe('Bearer');
    const method = await kit.proxyCall('GET', '/api/oauth2/token');
    expect(method.status).toBe(405);
    expect(method.json).toEqual({ error: 'invalid_method', error_description: 'The HTTP method GET is invalid for the token endpoint' });
    const badSecret = await kit.proxyCall('POST', '/api/oauth2/token', {
      body: 'grant_type=client_credentials',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-proto': 'https', authorization: `Basic ${Buffer.from('app-id:wrong').toString('base64')}` },
    });
    expect(badSecret.status).toBe(401);
    expect(badSecret.json).toEqual({ error: 'invalid_client', error_description: 'Invalid client authentication' });
    expect(badSecret.headers['www-authenticate']).toBe('Basic realm="OAuth2.0"');
    const http = await kit.until('POST', '/plainhttp/oauth2/token', (r) => r.status !== 404, form({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: clientSecret }));
    expect(http.status).toBe(400);
    expect(http.json).toEqual({ error: 'access_denied', error_description: 'You must use HTTPS' });
    // enable_password_grant is off on this route's plugin
    const disabled = await kit.until('POST', '/other/oauth2/token', (r) => r.status !== 404, form({ grant_type: 'password', client_id: 'app-id', client_secret: clientSecret, provision_key: provisionKey, authenticated_userid: 'u' }));
    expect(disabled.status).toBe(400);
    expect(disabled.json).toEqual({ error: 'unsupported_grant_type', error_description: 'Invalid grant_type' });
    const badScope = await token({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: clientSecret, scope: 'admin' });
    expect(badScope.json).toEqual({ error: 'invalid_scope', error_description: '"admin" is an invalid scope' });
  });

  it('password grant with provision_key, then refresh: the old token is gone, the new one works', async () => {
    const wrongKey = await token({ grant_type: 'password', client_id: 'app-id', client_secret: clientSecret, provision_key: 'x', authenticated_userid: 'u1' });
    expect(wrongKey.json).toEqual({ error: 'invalid_provision_key', error_description: 'Invalid provision_key' });
    const first = await token({ grant_type: 'password', client_id: 'app-id', client_secret: clientSecret, provision_key: provisionKey, authenticated_userid: 'u1', state: 'st' });
    expect(first.status).toBe(200);
    expect(first.json).toEqual({ access_token: expect.any(String), refresh_token: expect.any(String), token_type: 'bearer', expires_in: 5, state: 'st' });
    const api = await kit.proxyCall('GET', '/api/data', { headers: { authorization: `bearer ${first.json.access_token}` } });
    expect(api.json.headers['x-authenticated-userid']).toBe('u1');
    const refreshed = await token({ grant_type: 'refresh_token', client_id: 'app-id', client_secret: clientSecret, refresh_token: first.json.refresh_token });
    expect(refreshed.status).toBe(200);
    expect(refreshed.json.refresh_token).not.toBe(first.json.refresh_token);
    expect((await kit.proxyCall('GET', '/api/data', { headers: { authorization: `Bearer ${first.json.access_token}` } })).status).toBe(401);
    expect((await kit.proxyCall('GET', `/api/data?access_token=${refreshed.json.access_token}`)).status).toBe(200);
    const again = await token({ grant_type: 'refresh_token', client_id: 'app-id', client_secret: clientSecret, refresh_token: first.json.refresh_token });
    expect(again.json).toEqual({ error: 'invalid_request', error_description: 'Invalid refresh_token' });
  });

  it('a token expires after token_expiration seconds', async () => {
    const issued = await token({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: clientSecret });
    const auth = { authorization: `Bearer ${issued.json.access_token}` };
    expect((await kit.proxyCall('GET', '/api/data', { headers: auth })).status).toBe(200);
    const expired = await kit.until('GET', '/api/data', (r) => r.status === 401, { headers: auth });
    expect(expired.json.error).toBe('invalid_token');
  }, 20_000);

  it('authorization_code with PKCE for a public client: authorize, then exchange the code once', async () => {
    const verifier = 'v'.repeat(50);
    const challenge = createHash('sha256').update(verifier).digest('base64url');
    const noChallenge = await kit.proxyCall('POST', '/api/oauth2/authorize', form({ response_type: 'code', client_id: 'mobile-id', provision_key: provisionKey, authenticated_userid: 'u2' }));
    expect(noChallenge.status).toBe(400);
    expect(noChallenge.json).toEqual({ redirect_uri: 'https://mobile.example/cb?error=invalid_request&error_description=code_challenge%20is%20required%20for%20public%20clients' });
    const authorized = await kit.proxyCall('POST', '/api/oauth2/authorize', form({
      response_type: 'code', client_id: 'mobile-id', provision_key: provisionKey, authenticated_userid: 'u2', scope: 'profile', state: 'xyz', code_challenge: challenge,
    }));
    expect(authorized.status).toBe(200);
    const redirect = new URL(authorized.json.redirect_uri);
    expect(redirect.origin + redirect.pathname).toBe('https://mobile.example/cb');
    expect(redirect.searchParams.get('state')).toBe('xyz');
    const code = redirect.searchParams.get('code')!;
    const badVerifier = await token({ grant_type: 'authorization_code', client_id: 'mobile-id', code, code_verifier: 'w'.repeat(50) });
    expect(badVerifier.json).toEqual({ error: 'invalid_grant', error_description: 'Invalid code' });
    const exchanged = await token({ grant_type: 'authorization_code', client_id: 'mobile-id', code, code_verifier: verifier });
    expect(exchanged.status).toBe(200);
    expect(exchanged.json).toMatchObject({ token_type: 'bearer', refresh_token: expect.any(String) });
    const reused = await token({ grant_type: 'authorization_code', client_id: 'mobile-id', code, code_verifier: verifier });
    expect(reused.json).toEqual({ error: 'invalid_request', error_description: 'Invalid code' });
    const api = await kit.proxyCall('GET', '/api/data', { headers: { authorization: `Bearer ${exchanged.json.access_token}` } });
    expect(api.json.headers).toMatchObject({ 'x-authenticated-userid': 'u2', 'x-authenticated-scope': 'profile' });
  });

  it('implicit grant: the token in the redirect fragment', async () => {
    const r = await kit.proxyCall('POST', '/api/oauth2/authorize', form({ response_type: 'token', client_id: 'app-id', provision_key: provisionKey, authenticated_userid: 'u3' }));
    expect(r.status).toBe(200);
    const fragment = new URLSearchParams(new URL(r.json.redirect_uri).hash.slice(1));
    expect(fragment.get('token_type')).toBe('bearer');
    expect(fragment.get('refresh_token')).toBeNull();
    expect((await kit.proxyCall('GET', '/api/data', { headers: { authorization: `Bearer ${fragment.get('access_token')}` } })).status).toBe(200);
  });

  it('global_credentials: a token from one service works on another that also sets it; a global token is refused without it', async () => {
    const issued = await kit.until('POST', '/global1/oauth2/token', (r) => r.status === 200, form({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: clientSecret }));
    const auth = { authorization: `Bearer ${issued.json.access_token}` };
    expect((await kit.until('GET', '/global2/x', (r) => r.status !== 404, { headers: auth })).status).toBe(200);
    expect((await kit.must('GET', `/oauth2_tokens/${issued.json.access_token}`, undefined, 200)).service).toBeNull();
    const scoped = await kit.proxyCall('GET', '/api/data', { headers: auth });
    expect(scoped.status).toBe(401);
    expect(scoped.json).toEqual({ error: 'invalid_token', error_description: "The access token is global, but the current plugin is configured without 'global_credentials'" });
  });

  it('GET /schemas/plugins/oauth2: Kong\'s fields and defaults', async () => {
    const body = await kit.must('GET', '/schemas/plugins/oauth2', undefined, 200);
    const f = Object.assign({}, ...body.fields.find((x: Record<string, unknown>) => 'config' in x).config.fields);
    expect(f.provision_key).toMatchObject({ type: 'string', auto: true, unique: true, required: true });
    expect(f.token_expiration).toMatchObject({ type: 'number', default: 7200, required: true });
    expect(f.refresh_token_ttl).toMatchObject({ default: 1209600, between: [0, 100000000] });
    expect(f.pkce).toMatchObject({ default: 'lax', one_of: ['none', 'lax', 'strict'] });
    expect(f.auth_header_name.default).toBe('authorization');
  });

  it('a token is bound to its service unless global_credentials', async () => {
    const issued = await token({ grant_type: 'client_credentials', client_id: 'app-id', client_secret: clientSecret });
    const elsewhere = await kit.until('GET', '/other/x', (r) => r.status !== 404, { headers: { authorization: `Bearer ${issued.json.access_token}` } });
    expect(elsewhere.status).toBe(401);
    expect(elsewhere.json.error).toBe('invalid_token');
  });
});
