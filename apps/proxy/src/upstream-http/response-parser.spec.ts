// The field-name rule plugins' fields are checked by (client head and upstream head): RFC 9110 tokens, with the
// names found valid remembered, never the invalid ones.
import { isToken, isTokenName } from './response-parser';

describe('isTokenName', () => {
  it.each([
    ['x-ratelimit-remaining-hour', true],
    ['X-Consumer-ID', true],
    ["!#$%&'*+-.^_`|~09AZaz", true],
    ['Bad Name', false],
    ['x-a:', false],
    ['', false],
    ['x-\u00e9', false],
    ['x-\u2603', false],
    ['x\r\nInjected', false],
  ])('%j -> %s, the same the second time (remembered or not)', (name, ok) => {
    expect(isTokenName(name)).toBe(ok);
    expect(isTokenName(name)).toBe(ok);
    expect(isToken(name, 0, name.length)).toBe(ok);
  });

  it('keeps answering by the rule once its memory is full', () => {
    for (let i = 0; i < 5000; i++) expect(isTokenName(`x-name-${i}`)).toBe(true);
    expect(isTokenName('x-name-late')).toBe(true);
    expect(isTokenName('x name late')).toBe(false);
  });
});
