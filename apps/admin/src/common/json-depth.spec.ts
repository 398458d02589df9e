import { nestsDeeperThan } from './json-depth';

describe('nestsDeeperThan', () => {
  it.each<[string, number, boolean]>([
    ['[[1]]', 2, false],
    ['[[[1]]]', 2, true],
    ['{"a":{"b":[]}}', 3, false],
    ['{"a":{"b":[{}]}}', 3, true],
    ['["[[[[[", "\\"[[[["]', 1, false],
    ['[1],[2],[3]', 1, false],
  ])('%s with limit %d -> %s', (text, limit, expected) => {
    expect(nestsDeeperThan(text, limit)).toBe(expected);
  });

  it('accepts 1000 levels and refuses 1001 by default', () => {
    expect(nestsDeeperThan('['.repeat(1000) + ']'.repeat(1000))).toBe(false);
    expect(nestsDeeperThan('['.repeat(1001) + ']'.repeat(1001))).toBe(true);
  });
});
