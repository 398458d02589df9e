// lowerHeaderName is String.prototype.toLowerCase with a bounded memory of the names it saw.
import { lowerHeaderName, safeHeaderValue, safeHeaderValues } from './header-name';

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

describe('safeHeaderValue', () => {
  it('percent-escapes CR, LF and NUL as OpenResty stores a header value, and leaves the rest alone', () => {
    expect(safeHeaderValue('a\r\nInjected: 1')).toBe('a%0D%0AInjected: 1');
    expect(safeHeaderValue('x\0y\nz')).toBe('x%00y%0Az');
    const plain = 'text/html; charset=utf-8 \t%0D';
    expect(safeHeaderValue(plain)).toBe(plain);
    expect(safeHeaderValues(['a', 'b\r'])).toEqual(['a', 'b%0D']);
  });
});
