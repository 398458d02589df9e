import { claimErrors } from './claims';

describe('jwt claimErrors (Kong registered claims)', () => {
  const now = 1_700_000_000;
  it.each([
    ['nothing to verify', {}, null, 0, undefined],
    ['exp passed is ignored without claims_to_verify', { exp: now - 1 }, null, 0, undefined],
    ['exp in the past', { exp: now - 1 }, ['exp'], 0, { exp: 'token expired' }],
    ['exp equal to now', { exp: now }, ['exp'], 0, { exp: 'token expired' }],
    ['exp in the future', { exp: now + 1 }, ['exp'], 0, undefined],
    ['exp absent is not required', {}, ['exp', 'nbf'], 0, undefined],
    ['exp not a number', { exp: '1' }, ['exp'], 0, { exp: 'must be a number' }],
    ['nbf in the future', { nbf: now + 1 }, ['nbf'], 0, { nbf: 'token not valid yet' }],
    ['nbf equal to now', { nbf: now }, ['nbf'], 0, undefined],
    ['nbf not a number', { nbf: true }, ['nbf'], 0, { nbf: 'must be a number' }],
    ['both fail', { exp: now - 1, nbf: now + 1 }, ['exp', 'nbf'], 0, { exp: 'token expired', nbf: 'token not valid yet' }],
    ['maximum_expiration without exp', {}, null, 60, { exp: 'must exist' }],
    ['maximum_expiration with a string exp', { exp: 'x' }, null, 60, { exp: 'must exist' }],
    ['maximum_expiration exceeded', { exp: now + 61 }, null, 60, { exp: 'exceeds maximum allowed expiration' }],
    ['maximum_expiration at the limit', { exp: now + 60 }, null, 60, undefined],
    ['maximum_expiration is checked only after the registered claims', { nbf: now + 5 }, ['nbf'], 60, { nbf: 'token not valid yet' }],
  ])('%s', (_name, claims, toVerify, maximum, expected) => {
    expect(claimErrors(claims, toVerify, maximum, now)).toEqual(expected);
  });
});
