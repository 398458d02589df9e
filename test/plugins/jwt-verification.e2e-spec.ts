// jwt signature and claim verification (jose underneath) through real traffic: tampered and unsigned tokens are
// refused with Kong's messages, every key form Kong accepts is usable, and failures honour `anonymous`.
import { constants, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { issueCertificate } from '@tollgate/pki';
import { createKit, type Kit } from './support/kit';

const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const DIGEST: Record<string, string | null> = { '256': 'sha256', '384': 'sha384', '512': 'sha512', DSA: null };

/** Signs with node:crypto (independent of jose, which the gateway uses to verify). */
function token(alg: string, claims: Record<string, unknown>, key: string | KeyObject, header: Record<string, unknown> = {}): string {
  const input = `${b64({ typ: 'JWT', alg, ...header })}.${b64(claims)}`;
  const hash = DIGEST[alg.slice(2)];
  let sig: Buffer;
  if (alg.startsWith('HS')) sig = createHmac(hash!, key as string).update(input).digest();
  else if (alg.startsWith('ES')) sig = sign(hash, Buffer.from(input), { key: key as KeyObject, dsaEncoding: 'ieee-p1363' });
  else if (alg.startsWith('PS')) sig = sign(hash, Buffer.from(input), { key: key as KeyObject, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: Number(alg.slice(2)) / 8 });
  else sig = sign(hash, Buffer.from(input), key as KeyObject);
  return `${input}.${sig.toString('base64url')}`;
}

/** Flips one bit of the signature's first byte. */
function tamperSignature(t: string): string {
  const dot = t.lastIndexOf('.');
  const sig = Buffer.from(t.slice(dot + 1), 'base64url');
  sig[0] ^= 1;
  return `${t.slice(0, dot)}.${sig.toString('base64url')}`;
}

/** Same header and signature, different claims. */
function tamperClaims(t: string, claims: Record<string, unknown>): string {
  const [header, , sig] = t.split('.');
  return `${header}.${b64(claims)}.${sig}`;
}

describe('jwt verification (proxy)', () => {
  let kit: Kit;
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec384 = generateKeyPairSync('ec', { namedCurve: 'P-384' });
  const ec521 = generateKeyPairSync('ec', { namedCurve: 'P-521' });
  const ed = generateKeyPairSync('ed25519');
  const spki = (k: KeyObject) => k.export({ type: 'spki', format: 'pem' }) as string;
  const x509 = issueCertificate({ commonName: 'jwt-signer' });
  const now = () => Math.floor(Date.now() / 1000);
  const bearer = (t: string) => ({ authorization: `Bearer ${t}` });

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const service = b.service(kit.upstream.port);
    const plain = b.route(service, ['/jwt']);
    const limited = b.route(service, ['/max']);
    const anon = b.route(service, ['/anon']);
    const b64 = b.route(service, ['/b64']);
    const kid = b.route(service, ['/kid']);
    const dan = b.consumer('dan');
    b.consumer('guest');
    b.jwtSecret(dan, { key: 'hs256-iss', secret: 'hs256-secret', algorithm: 'HS256' });
    b.jwtSecret(dan, { key: 'rs512-iss', algorithm: 'RS512', rsa_public_key: spki(rsa.publicKey) });
    b.jwtSecret(dan, { key: 'es384-iss', algorithm: 'ES384', rsa_public_key: spki(ec384.publicKey) });
    b.jwtSecret(dan, { key: 'es512-iss', algorithm: 'ES512', rsa_public_key: spki(ec521.publicKey) });
    b.jwtSecret(dan, { key: 'ps256-iss', algorithm: 'PS256', rsa_public_key: spki(rsa.publicKey) });
    b.jwtSecret(dan, { key: 'eddsa-iss', algorithm: 'EdDSA', rsa_public_key: spki(ed.publicKey) });
    b.jwtSecret(dan, { key: 'pkcs1-iss', algorithm: 'RS256', rsa_public_key: rsa.publicKey.export({ type: 'pkcs1', format: 'pem' }) as string });
    b.jwtSecret(dan, { key: 'x509-iss', algorithm: 'RS256', rsa_public_key: x509.cert });
    b.jwtSecret(dan, { key: 'es384-wrong-key', algorithm: 'ES384', rsa_public_key: spki(rsa.publicKey) });
    b.jwtSecret(dan, { key: 'not-base64', secret: 'not base64!', algorithm: 'HS256' });
    b.plugin('jwt', {}, { route: plain });
    b.plugin('jwt', { maximum_expiration: 60 }, { route: limited });
    b.plugin('jwt', { anonymous: 'guest', claims_to_verify: ['exp'] }, { route: anon });
    b.plugin('jwt', { secret_is_base64: true }, { route: b64 });
    b.plugin('jwt', { key_claim_name: 'kid' }, { route: kid });
    await kit.start();
  });
  afterAll(() => kit.close());

  const rs512 = () => token('RS512', { iss: 'rs512-iss' }, rsa.privateKey);
  const es384 = () => token('ES384', { iss: 'es384-iss' }, ec384.privateKey);

  it.each([
    ['ES384', () => es384()],
    ['RS512', () => rs512()],
    ['ES512', () => token('ES512', { iss: 'es512-iss' }, ec521.privateKey)],
    ['PS256', () => token('PS256', { iss: 'ps256-iss' }, rsa.privateKey)],
    ['EdDSA', () => token('EdDSA', { iss: 'eddsa-iss' }, ed.privateKey)],
    ['RS256 with a PKCS#1 public key', () => token('RS256', { iss: 'pkcs1-iss' }, rsa.privateKey)],
    ['RS256 with an X.509 certificate', () => token('RS256', { iss: 'x509-iss' }, x509.key)],
    ['kid in the protected header', () => token('HS256', { sub: 'x' }, 'hs256-secret', { kid: 'hs256-iss' })],
  ])('%s is accepted', async (name, make) => {
    const res = await kit.get(name.startsWith('kid') ? '/kid/x' : '/jwt/x', bearer(make()));
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('dan');
  });

  it.each([
    ['tampered HS256 signature', () => tamperSignature(token('HS256', { iss: 'hs256-iss' }, 'hs256-secret'))],
    ['tampered RS512 signature', () => tamperSignature(rs512())],
    ['tampered ES384 signature', () => tamperSignature(es384())],
    ['RS512 claims changed after signing', () => tamperClaims(rs512(), { iss: 'rs512-iss', admin: true })],
    ['ES384 claims changed after signing', () => tamperClaims(es384(), { iss: 'es384-iss', admin: true })],
    ['ES384 signature truncated', () => es384().slice(0, -10)],
    ['ES384 signed by another key', () => token('ES384', { iss: 'es384-iss' }, generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey)],
    ['empty signature', () => `${token('HS256', { iss: 'hs256-iss' }, 'x').split('.').slice(0, 2).join('.')}.`],
    ['credential key does not fit the algorithm', () => token('ES384', { iss: 'es384-wrong-key' }, ec384.privateKey)],
  ])('%s -> 401 Invalid signature', async (_name, make) => {
    const res = await kit.get('/jwt/x', bearer(make()));
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Invalid signature');
    expect(res.headers['www-authenticate']).toBe('Bearer realm="service"');
  });

  it.each([
    ['alg none, no signature', 'Bad token; invalid alg', `${b64({ typ: 'JWT', alg: 'none' })}.${b64({ iss: 'hs256-iss' })}.`],
    ['alg none, HMAC signature', 'Bad token; invalid alg', `${b64({ alg: 'none' })}.${b64({ iss: 'hs256-iss' })}.c2ln`],
    ['alg None', 'Bad token; invalid alg', `${b64({ alg: 'None' })}.${b64({ iss: 'hs256-iss' })}.`],
    ['typ other than JWT', 'Bad token; invalid typ', token('HS256', { iss: 'hs256-iss' }, 'hs256-secret', { typ: 'at+jwt' })],
    ['no signature segment', 'Bad token; invalid JSON', `${b64({ alg: 'HS256' })}.${b64({ iss: 'hs256-iss' })}`],
  ])('%s -> 401 %s', async (_name, message, t) => {
    const res = await kit.get('/jwt/x', bearer(t));
    expect(res.status).toBe(401);
    expect(res.json.message).toBe(message);
  });

  it('an RS512 token presented for an HS256 credential -> 403 Invalid algorithm', async () => {
    const res = await kit.get('/jwt/x', bearer(token('RS512', { iss: 'hs256-iss' }, rsa.privateKey)));
    expect(res.status).toBe(403);
    expect(res.json.message).toBe('Invalid algorithm');
  });

  it('secret_is_base64 with a secret that is not base64 -> 401 Invalid key/secret', async () => {
    const res = await kit.get('/b64/x', bearer(token('HS256', { iss: 'not-base64' }, 'not base64!')));
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Invalid key/secret');
  });

  it.each([
    ['without exp', {}, 401, { exp: 'must exist' }],
    ['exp too far', { exp: now() + 3600 }, 401, { exp: 'exceeds maximum allowed expiration' }],
    ['exp within the maximum', { exp: now() + 30 }, 200, undefined],
  ])('maximum_expiration: %s', async (_name, claims, status, body) => {
    const res = await kit.get('/max/x', bearer(token('HS256', { iss: 'hs256-iss', ...claims }, 'hs256-secret')));
    expect(res.status).toBe(status);
    if (body) expect(res.json).toEqual(body);
  });

  it.each([
    ['no token', {}],
    ['alg none', bearer(`${b64({ alg: 'none' })}.${b64({ iss: 'hs256-iss' })}.`)],
    ['tampered signature', bearer(tamperSignature(rs512()))],
    ['expired', bearer(token('HS256', { iss: 'hs256-iss', exp: now() - 5 }, 'hs256-secret'))],
    ['two tokens', bearer(rs512())],
  ])('anonymous: %s -> proxied as the anonymous consumer', async (name, headers) => {
    const path = name === 'two tokens' ? `/anon/x?jwt=${es384()}` : '/anon/x';
    const res = await kit.get(path, headers as Record<string, string>);
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('guest');
    expect(res.json.headers['x-anonymous-consumer']).toBe('true');
  });

  it('anonymous: a valid token still identifies its consumer', async () => {
    const res = await kit.get('/anon/x', bearer(es384()));
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('dan');
    expect(res.json.headers['x-anonymous-consumer']).toBeUndefined();
  });

  it('concurrent requests on a cold key all verify', async () => {
    const t = token('ES512', { iss: 'es512-iss', n: 1 }, ec521.privateKey);
    const results = await Promise.all(Array.from({ length: 20 }, () => kit.get('/jwt/x', bearer(t))));
    expect(results.map((r) => r.status)).toEqual(Array(20).fill(200));
  });
});
