import { nestsDeeperThan, yamlNestsDeeperThan } from './nesting';

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

describe('yamlNestsDeeperThan', () => {
  const block = (n: number, step = '  ') => Array.from({ length: n }, (_, i) => `${step.repeat(i)}a:`).join('\n') + ` x\n`;
  it('bounds block nesting by the indentations open at once, closing the deeper ones on a shallower line', () => {
    expect(yamlNestsDeeperThan(block(5), 5)).toBe(false);
    expect(yamlNestsDeeperThan(block(6), 5)).toBe(true);
    // siblings and a return to the top level open nothing new
    expect(yamlNestsDeeperThan('a:\n  b: 1\n  c: 2\nd:\n  e: 3\n', 2)).toBe(false);
    // blank lines and comments at any indentation do not count
    expect(yamlNestsDeeperThan('a:\n\n        # deep comment\n  b: 1\n', 2)).toBe(false);
    // compact sequences open a level per dash
    expect(yamlNestsDeeperThan('- - - - x\n', 3)).toBe(true);
    expect(yamlNestsDeeperThan('- - - x\n', 3)).toBe(false);
  });

  it('adds flow collections, as nestsDeeperThan counts them', () => {
    expect(yamlNestsDeeperThan('a: ' + '['.repeat(10) + ']'.repeat(10), 10)).toBe(false);
    expect(yamlNestsDeeperThan('a: ' + '['.repeat(11) + ']'.repeat(11), 10)).toBe(true);
  });

  it('passes a real kong.yml', () => {
    const kongYml = [
      '_format_version: "3.0"', 'services:', '- name: s', '  url: http://x', '  routes:', '  - name: r', '    paths: ["/a", "~/b/(?<id>[0-9]+)$"]',
      '    plugins:', '    - name: pre-function', '      config:', '        access:', '        - |', '          if a then', '            if b then',
      '              kong.log.err("[")', '            end', '          end',
    ].join('\n');
    expect(yamlNestsDeeperThan(kongYml, 20)).toBe(false);
  });
});
