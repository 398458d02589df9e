// lowerHeaderName is String.prototype.toLowerCase with a bounded memory of the names it saw.
import { lowerHeaderName } from './header-name';

describe('lowerHeaderName', () => {
  it.each(['X-RateLimit-Limit-Minute', 'x-consumer-id', 'RateLimit-Reset', 'WWW-Authenticate', 'X-ÄÖ-Ü', ''])('%s as toLowerCase gives it, the first time and after', (name) => {
    expect(lowerHeaderName(name)).toBe(name.toLowerCase());
    expect(lowerHeaderName(name)).toBe(name.toLowerCase());
  });

  it('stays right once its table is full (names built from request data)', () => {
    for (let i = 0; i < 5000; i++) expect(lowerHeaderName(`X-Dynamic-${i}`)).toBe(`x-dynamic-${i}`);
    expect(lowerHeaderName('X-After-Full')).toBe('x-after-full');
  });
});
