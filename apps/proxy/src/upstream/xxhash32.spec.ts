import { xxhash32 } from './xxhash32';

describe('xxhash32 (seed 0)', () => {
  // Published reference vectors of xxHash32.
  it.each([
    ['', 0x02cc5d05],
    ['a', 0x550d7456],
    ['abc', 0x32d153ff],
    ['Nobody inspects the spammish repetition', 0xe2293b2f],
  ])('%j', (input, expected) => {
    expect(xxhash32(input)).toBe(expected);
  });

  it('is the same for a long value hashed twice (scratch buffer growth)', () => {
    const long = 'x'.repeat(5000);
    expect(xxhash32(long)).toBe(xxhash32(long));
  });
});
