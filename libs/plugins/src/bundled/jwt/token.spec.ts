import { decodeToken } from './token';

const seg = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
const HS = seg({ typ: 'JWT', alg: 'HS256' });
const CLAIMS = seg({ iss: 'a' });

describe('jwt decodeToken (Kong jwt_parser checks)', () => {
  it.each([
    ['one segment', 'abc', 'invalid JSON'],
    ['two segments', `${HS}.${CLAIMS}`, 'invalid JSON'],
    ['header not JSON', `x.${CLAIMS}.sig`, 'invalid JSON'],
    ['claims not an object', `${HS}.${seg(3)}.sig`, 'invalid JSON'],
    ['typ other than JWT', `${seg({ typ: 'JOSE', alg: 'HS256' })}.${CLAIMS}.sig`, 'invalid typ'],
    ['alg none', `${seg({ typ: 'JWT', alg: 'none' })}.${CLAIMS}.`, 'invalid alg'],
    ['alg missing', `${seg({ typ: 'JWT' })}.${CLAIMS}.sig`, 'invalid alg'],
    ['alg lower-case', `${seg({ alg: 'hs256' })}.${CLAIMS}.sig`, 'invalid alg'],
    ['extra segment lands in the signature', `${HS}.${CLAIMS}.sig.more`, 'invalid signature'],
  ])('%s -> %s', (_name, token, reason) => {
    expect(() => decodeToken(token)).toThrow(reason);
  });

  it.each([
    ['typ absent', seg({ alg: 'ES384' })],
    ['typ lower-case jwt', seg({ typ: 'jwt', alg: 'RS512' })],
  ])('accepts %s', (_name, header) => {
    const decoded = decodeToken(`${header}.${CLAIMS}.c2ln`);
    expect(decoded.claims).toEqual({ iss: 'a' });
  });
});
