// jwt through real traffic: every supported algorithm, where tokens come from, claim checks, Kong's messages.
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { createKit, type Kit } from './support/kit';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

function token(alg: string, claims: Record<string, unknown>, key: string | Buffer | KeyObject, header: Record<string, unknown> = {}): string {
  const input = `${b64({ typ: 'JWT', alg, ...header })}.${b64(claims)}`;
  const hash = `sha${alg.slice(2)}`;
  let sig: Buffer;
  if (alg.startsWith('HS')) sig = createHmac(hash, key as string | Buffer).update(input).digest();
  else if (alg.startsWith('ES')) sig = sign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else sig = sign(hash, Buffer.from(input), key as KeyObject);
  return `${input}.${sig.toString('base64url')}`;
}

describe('jwt (proxy)', () => {
  let kit: Kit;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec256 = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const pem = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
  const now = () => Math.floor(Date.now() / 1000);

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const service = b.service(kit.upstream.port);
    const plain = b.route(service, ['/jwt']);
    const verified = b.route(service, ['/claims']);
    const custom = b.route(service, ['/custom']);
    const b64route = b.route(service, ['/b64']);
    const dan = b.consumer('dan');
    b.jwtSecret(dan, { key: 'hs256-iss', secret: 'hs256-secret', algorithm: 'HS256' });
    b.jwtSecret(dan, { key: 'hs384-iss', secret: 'hs384-secret', algorithm: 'HS384' });
    b.jwtSecret(dan, { key: 'hs512-iss', secret: 'hs512-secret', algorithm: 'HS512' });
    for (const alg of ['RS256', 'RS384', 'RS512']) b.jwtSecret(dan, { key: `${alg.toLowerCase()}-iss`, algorithm: alg, rsa_public_key: pem(rsa.publicKey) });
    b.jwtSecret(dan, { key: 'es256-iss', algorithm: 'ES256', rsa_public_key: pem(ec256.publicKey) });
    b.jwtSecret(dan, { key: 'es384-iss', algorithm: 'ES384', rsa_public_key: pem(ec384.publicKey) });
    b.jwtSecret(dan, { key: 'b64-iss', secret: Buffer.from('raw-bytes-secret').toString('base64'), algorithm: 'HS256' });
    b.plugin('jwt', {}, { route: plain });
    b.plugin('jwt', { claims_to_verify: ['exp', 'nbf'] }, { route: verified });
    b.plugin('jwt', { key_claim_name: 'kid', uri_param_names: ['token'], cookie_names: ['session'], header_names: ['x-jwt'] }, { route: custom });
    b.plugin('jwt', { secret_is_base64: true }, { route: b64route });
    await kit.start();
  });
  afterAll(() => kit.close());

  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  it.each([
    ['HS256', 'hs256-secret'], ['HS384', 'hs384-secret'], ['HS512', 'hs512-secret'],
    ['RS256', rsa.privateKey], ['RS384', rsa.privateKey], ['RS512', rsa.privateKey],
    ['ES256', ec256.privateKey], ['ES384', ec384.privateKey],
  ])('%s token is accepted', async (alg, key) => {
    const res = await kit.get('/jwt/x', bearer(token(alg, { iss: `${alg.toLowerCase()}-iss` }, key as string)));
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('dan');
    expect(res.json.headers['x-credential-identifier']).toBe(`${alg.toLowerCase()}-iss`);
  });

  it.each([
    ['no token', {}, 401, 'Unauthorized'],
    ['garbage', bearer('a.b.c'), 401, 'Bad token; invalid JSON'],
    ['no iss', bearer(token('HS256', { sub: 'x' }, 'hs256-secret')), 401, "No mandatory 'iss' in claims"],
    ['unknown iss', bearer(token('HS256', { iss: 'who' }, 'hs256-secret')), 401, "No credentials found for given 'iss'"],
    ['wrong secret', bearer(token('HS256', { iss: 'hs256-iss' }, 'other')), 401, 'Invalid signature'],
    ['algorithm mismatch', bearer(token('HS384', { iss: 'hs256-iss' }, 'hs256-secret')), 403, 'Invalid algorithm'],
  ])('%s -> %i', async (_n, headers, status, message) => {
    const res = await kit.get('/jwt/x', headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.json.message).toBe(message);
  });

  it('two different tokens -> 401 Multiple tokens provided', async () => {
    const t1 = token('HS256', { iss: 'hs256-iss' }, 'hs256-secret');
    const t2 = token('HS256', { iss: 'hs256-iss', a: 1 }, 'hs256-secret');
    const res = await kit.get(`/jwt/x?jwt=${t1}`, bearer(t2));
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Multiple tokens provided');
  });

  it.each([
    ['expired', { exp: now() - 10 }, 401, { exp: 'token expired' }],
    ['not yet valid', { nbf: now() + 100 }, 401, { nbf: 'token not valid yet' }],
    ['exp not a number', { exp: 'soon' }, 401, { exp: 'must be a number' }],
    ['valid window', { exp: now() + 100, nbf: now() - 10 }, 200, undefined],
  ])('claims_to_verify: %s', async (_n, claims, status, body) => {
    const res = await kit.get('/claims/x', bearer(token('HS256', { iss: 'hs256-iss', ...claims }, 'hs256-secret')));
    expect(res.status).toBe(status);
    if (body) expect(res.json).toEqual(body);
  });

  it('key_claim_name, uri_param_names, cookie_names and header_names', async () => {
    const t = token('HS256', { kid: 'hs256-iss' }, 'hs256-secret');
    expect((await kit.get(`/custom/x?token=${t}`)).status).toBe(200);
    expect((await kit.get('/custom/x', { cookie: `a=1; session=${t}` })).status).toBe(200);
    expect((await kit.get('/custom/x', { 'x-jwt': `Bearer ${t}` })).status).toBe(200);
    expect((await kit.get('/custom/x', bearer(t))).status).toBe(401);
  });

  it('secret_is_base64 decodes the stored secret', async () => {
    const res = await kit.get('/b64/x', bearer(token('HS256', { iss: 'b64-iss' }, 'raw-bytes-secret')));
    expect(res.status).toBe(200);
  });
});
