import { DeclarativeParseError, parseDeclarative } from './parse';

describe('parseDeclarative: documents built to exhaust the parser get a parse error, never an overflow', () => {
  const refusal = (text: string): string => {
    try {
      parseDeclarative(text);
    } catch (err) {
      expect(err).toBeInstanceOf(DeclarativeParseError);
      return (err as Error).message;
    }
    throw new Error('parsed');
  };

  it('refuses flow and block nesting past its limit before the YAML parser recurses (it overflowed at ~900 levels)', () => {
    expect(refusal('['.repeat(1000) + ']'.repeat(1000))).toBe('failed parsing declarative configuration: nested deeper than 200 levels');
    const block = Array.from({ length: 2000 }, (_, i) => `${' '.repeat(i)}a:`).join('\n') + ' x\n';
    expect(refusal(block)).toBe('failed parsing declarative configuration: nested deeper than 200 levels');
    // twice in a row (the second overflow used to end the process inside V8's regular-expression compiler)
    expect(refusal('['.repeat(5000) + ']'.repeat(5000))).toContain('nested deeper than');
    expect(refusal(`{"a":${'['.repeat(1001)}${']'.repeat(1001)}}`)).toBe('failed parsing declarative configuration: nested deeper than 1000 levels');
  });

  it('keeps what nests within the limits', () => {
    expect(parseDeclarative(`{"a":${'['.repeat(999)}${']'.repeat(999)}}`)).toHaveProperty('a');
    expect(parseDeclarative(`a: ${'['.repeat(150)}1${']'.repeat(150)}`)).toHaveProperty('a');
  });

  it('an alias bomb is a parse error naming it (was a 500)', () => {
    const bomb = ['a: &a ["x","x","x","x","x","x","x","x","x"]', 'b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]', 'c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]',
      'd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]', 'e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]', 'f: [*e,*e,*e,*e,*e,*e,*e,*e,*e]'].join('\n');
    expect(refusal(bomb)).toContain('Excessive alias count');
  });
});
