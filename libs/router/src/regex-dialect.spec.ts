// Kong's route regex dialect, table-driven. Accepted rows are paths from Kong's router spec
// (spec/01-unit/08-router_spec.lua) and schema spec (06-routes_spec.lua) with what they match; refused rows say
// which of Kong's two compilers refuses them (PCRE in the schema, Rust's regex crate in the router) and why.
import { compilePathRegex, compileHeaderRegex } from './http/regex';
import { pcreMessage, rustMessage, translateKongRegex } from './regex-dialect';

describe('translateKongRegex: accepted, with Kong\'s matching', () => {
  it.each<[string, string[], string[]]>([
    // [regex without `~`, paths it matches, paths it does not]
    ['/users/\\d+/profile', ['/users/123/profile', '/users/1/profile/x'], ['/users/abc/profile', '/x/users/1/profile']],
    ['/users/\\d*/profile', ['/users//profile', '/users/12/profile'], ['/users/a/profile']],
    ['/route/persons/\\d{3}', ['/route/persons/123', '/route/persons/1234'], ['/route/persons/12']],
    ['/route/persons/\\d{3}/[a-z]+', ['/route/persons/123/abc'], ['/route/persons/123/ABC']],
    ['/prefix/[0-9]+', ['/prefix/7'], ['/prefix/x']],
    ['/(path)', ['/path'], ['/other']],
    ['/delay/(?<delay>[^\\/]+)$', ['/delay/5'], ['/delay/5/x']],
    ['/(users/)?1984/(?<subpath>profile)$', ['/users/1984/profile', '/1984/profile'], ['/1984/profile/']],
    ['/users/(?P<user_id>\\d+)/profile/?(?P<scope>[a-z]*)', ['/users/1/profile/email'], ['/users/x/profile']],
    ['/users/(?P<fullname>[a-zA-Z\\s\\d%]+)/profile/?(?P<scope>[a-z]*)', ['/users/john%20doe/profile'], ['/users/-/profile']],
    ['/\\"/*$', ['/"', '/"//'], ['/"x']],
    ['/\\"#/*$', ['/"#'], ['/"']],
    ['/\\\\/*$', ['/\\', '/\\//'], ['/a']],
    ['/\\d+"', ['/12"'], ['/12']],
    // the rows: Rust syntax JavaScript spells differently
    ['/items/(?P<item>[a-z]+)', ['/items/abc'], ['/items/123']],
    ['/(?i)admin', ['/admin', '/ADMIN', '/AdMin/x'], ['/other']],
    ['/a\\z', ['/a'], ['/ab', '/a\n']],
    ['/\\Aa', [], ['/a']],
    ['/users/{x}/(?<name>\\w+)'.replace('{x}', 'x'), ['/users/x/bob'], ['/users/y/bob']],
    ['/(?i:ab)c', ['/ABc'], ['/ABC']],
    ['/a(?i)b|c', ['/aB', '/C'], ['/AB']],
    ['/x.y', ['/xzy'], ['/x\ny']],
    ['/(?s)x.y', ['/x\ny'], []],
    ['/(?x) a b # comment', ['/ab'], ['/a b']],
    ['/[[:digit:]]+', ['/42'], ['/x']],
    ['/[\\w-]+$', ['/a-b_c'], ['/a.b']],
    ['/\\x41\\x{42}', ['/AB'], ['/ab']],
    ['/a\\-b\\.c', ['/a-b.c'], ['/a-bxc']],
    ['/(?U)a+', ['/aaa'], []],
    ['/\\p{L}+$', ['/héllo'], ['/123']],
  ])('%s', (regex, matching, other) => {
    const { regex: compiled } = compilePathRegex(regex);
    for (const path of matching) expect([path, compiled.test(path)]).toEqual([path, true]);
    for (const path of other) expect([path, compiled.test(path)]).toEqual([path, false]);
  });

  it('named groups keep their names for the captures', () => {
    const m = compilePathRegex('/users/(?P<user_id>\\d+)/profile/?(?P<scope>[a-z]*)').regex.exec('/users/123/profile/email');
    expect(m?.groups).toEqual({ user_id: '123', scope: 'email' });
  });

  it.each<[string, string]>([
    ['/users/\\d+', '/users/'],
    ['/a\\.b(c)', '/a.b'],
    ['/ab?', '/a'],
    ['/(?i)admin', '/'],
    ['/a|/b', ''],
  ])('literal prefix of %s is %j', (regex, prefix) => {
    expect(compilePathRegex(regex).literalPrefix).toBe(prefix);
  });

  it('header regexes are unanchored and case-insensitive', () => {
    const re = compileHeaderRegex('^v\\d+$');
    expect(re.test('V2')).toBe(true);
    expect(re.test('v2x')).toBe(false);
  });
});

describe('translateKongRegex: refused, with the compiler that refuses it', () => {
  it.each<[string, 'pcre' | 'rust', string]>([
    ['/users/(foo/profile', 'pcre', 'missing closing parenthesis'],
    ['/a)', 'pcre', 'unmatched closing parenthesis'],
    ['/[a-', 'pcre', 'missing terminating ] for character class'],
    ['/[z-a]', 'pcre', 'range out of order in character class'],
    ['/a{3,1}', 'pcre', 'numbers out of order in {} quantifier'],
    ['/a|*b', 'pcre', 'quantifier does not follow a repeatable item'],
    ['/a\\', 'pcre', '\\ at end of pattern'],
    ['/\\y', 'pcre', 'unrecognized character follows \\'],
    ['/(?<n>a)(?<n>b)', 'pcre', 'two named subpatterns have the same name (PCRE2_DUPNAMES not set)'],
    ['/(?<1a>x)', 'pcre', 'subpattern name must start with a non-digit'],
    ['/\\u0041', 'pcre', 'PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u'],
    ['/a(?=b)', 'rust', 'look-around, including look-ahead and look-behind, is not supported'],
    ['/(?<!a)b', 'rust', 'look-around, including look-ahead and look-behind, is not supported'],
    ['/(a)\\1', 'rust', 'backreferences are not supported'],
    ['/(?>a)', 'rust', 'this group syntax is not supported'],
    ['/a++', 'rust', 'possessive quantifiers are not supported'],
    ['/a\\Z', 'rust', 'unrecognized escape sequence'],
    ['/kong(-ee){0,1}.com{', 'rust', 'repetition quantifier expects a valid decimal'],
    ['/({x})', 'rust', 'repetition operator missing expression'],
    ['/a{x}', 'rust', 'repetition quantifier expects a valid decimal'],
    ['/(?=a', 'pcre', 'missing closing parenthesis'],
  ])('%s (%s)', (regex, engine, message) => {
    expect(translateKongRegex(regex)).toEqual({ ok: false, error: { engine, message } });
  });

  it('spells Kong\'s messages', () => {
    expect(pcreMessage('/users/(foo/profile', 'missing closing parenthesis'))
      .toBe('invalid regex: \'/users/(foo/profile\' (PCRE returned: pcre2_compile() failed: missing closing parenthesis in "/users/(foo/profile")');
    expect(rustMessage('/a(?=b)', 'look-around, including look-ahead and look-behind, is not supported'))
      .toBe('Router Expression failed validation: regex parse error: /a(?=b): look-around, including look-ahead and look-behind, is not supported');
  });
});

describe("translateKongRegex, dialect 'pcre' (ngx.re's patterns)", () => {
  const compile = (source: string, utf = false) => {
    const r = translateKongRegex(source, { dialect: 'pcre', utf });
    if (!r.ok) throw new Error(r.error.message);
    return new RegExp(r.regex.source, r.regex.flags);
  };

  it.each<[string, string[], string[]]>([
    // [pattern, subjects it matches, subjects it does not]: what PCRE accepts and the route dialect refuses
    ['^a(?=b)', ['ab'], ['ac']],
    ['(?<!x)y', ['ay', 'y'], ['xy']],
    ['^(a)\\1$', ['aa'], ['ab']],
    ['^(?<n>a)\\k<n>(?P=n)\\g{1}\\g1$', ['aaaaa'], ['aaaa']],
    ["^(?'q'b)\\k{q}\\k'q'$", ['bbb'], ['bb']],
    ['^(a)\\10$', ['a\b'], ['aa0']], // no 10th group: octal \010
    ['^(a)(b)(c)(d)(e)(f)(g)(h)(i)(j)\\10$', ['abcdefghijj'], ['abcdefghija0']],
    ['^\\Qa+|)\\E$', ['a+|)'], ['a']],
    ['^a{,2}$', ['a{,2}'], ['aa']],
    ['^a{$', ['a{'], ['a']],
    ['^[[a]$', ['[', 'a'], ['b']],
    ['^[a&&b]$', ['&', 'a'], ['c']],
    ['^\\Qa.b\\E+$', ['a.bbb'], ['axb']],
    ['^a(?#comment)b$', ['ab'], ['a']],
    ['^a\\Z', ['a', 'a\n'], ['ab']],
    ['^\\e\\x4\\x$', ['\x1b\x04\0'], ['x']],
    ['^\\012$', ['\n'], ['0']],
    ['^[\\b]$', ['\b'], ['b']],
    // case-insensitive: ASCII letters as classes; a backreference folds too (the i flag, as the class cannot)
    ['(?i)^abc$', ['ABC', 'aBc'], ['abd']],
    ['(?i)^(a)\\1$', ['aA', 'Aa'], ['ab']],
    ['(?i)^é$', ['é'], ['É']], // byte mode: no case beyond ASCII
  ])('%s', (source, yes, no) => {
    const re = compile(source);
    for (const s of yes) expect([s, re.test(s)]).toEqual([s, true]);
    for (const s of no) expect([s, re.test(s)]).toEqual([s, false]);
  });

  it('UTF mode folds non-ASCII letters (the i flag, with u), and an ASCII-only pattern keeps neither flag', () => {
    expect(compile('(?i)^é$', true).test('É')).toBe(true);
    expect(compile('(?i)^(a+)+$', true).flags).toBe('');
    expect(compile('(?i)^(a+)+$').flags).toBe('');
    expect(compile('^\\p{L}$').flags).toBe('u');
    // `.` is a whole character in UTF mode, without the u flag
    expect(compile('^.$', true).test('😀')).toBe(true);
    expect(compile('^.$', true).flags).toBe('');
    expect(compile('^..$').test('😀')).toBe(true); // byte mode: no character beyond U+FFFF is one `.` (PCRE: 4 bytes)
  });

  it.each<[string, string]>([
    ['(', 'missing closing parenthesis'],
    ['(a)\\2', 'reference to non-existent subpattern'],
    ['\\k<nope>', 'reference to non-existent subpattern'],
    ['a++', 'possessive quantifiers are not supported'],
    ['(?>a)', 'this group syntax is not supported'],
    ['(?R)', 'this group syntax is not supported'],
  ])('refuses %s: %s', (source, message) => {
    const r = translateKongRegex(source, { dialect: 'pcre' });
    expect(r.ok ? null : r.error.message).toBe(message);
  });

  it('the route dialect still refuses what Rust does', () => {
    expect(translateKongRegex('/a(?=b)').ok).toBe(false);
    expect(translateKongRegex('/(a)\\1').ok).toBe(false);
    expect(translateKongRegex('/a{,2}').ok).toBe(false);
    expect(translateKongRegex('/[[a]').ok).toBe(false);
  });
});
