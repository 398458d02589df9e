// storedHeaderName is String.prototype.toLowerCase (and OpenResty's escaping of a name) with a bounded memory of the names it saw.
import { storedHeaderName, safeHeaderValue, safeHeaderValues } from './header-name';

describe('storedHeaderName', () => {
  it.each(['X-RateLimit-Limit-Minute', 'x-consumer-id', 'RateLimit-Reset', 'WWW-Authenticate', ''])('%s as toLowerCase gives it, the first time and after', (name) => {
    expect(storedHeaderName(name)).toBe(name.toLowerCase());
    expect(storedHeaderName(name)).toBe(name.toLowerCase());
  });

  it('stays right once its table is full (names built from request data)', () => {
    for (let i = 0; i < 5000; i++) expect(storedHeaderName(`X-Dynamic-${i}`)).toBe(`x-dynamic-${i}`);
    expect(storedHeaderName('X-After-Full')).toBe('x-after-full');
  });

  it('percent-escapes what is not a token character, as OpenResty escapes a name (its hex lower-case, as the name is)', () => {
    expect(storedHeaderName('A\nB')).toBe('a%0ab');
    expect(storedHeaderName('x\r\nInjected: 1')).toBe('x%0d%0ainjected%3a%201');
    expect(storedHeaderName('X-ÄÖ-Ü')).toBe('x-%c3%a4%c3%b6-%c3%bc');
    expect(storedHeaderName('(a)@[b]{c}"d"/e,f;g=h?\\\x7f')).toBe('%28a%29%40%5bb%5d%7bc%7d%22d%22%2fe%2cf%3bg%3dh%3f%5c%7f');
    const token = "!#$%&'*+-.^_`|~09az";
    expect(storedHeaderName(token)).toBe(token);
    expect(storedHeaderName(storedHeaderName('a\nb'))).toBe('a%0ab');
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
