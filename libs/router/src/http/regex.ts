// Route regexes are written for Rust's `regex` crate (Kong 3.x compat/ATC). They are translated once to
// JavaScript, anchored the way Kong anchors them (`^` prepended to the source, nothing else).

export interface CompiledPathRegex {
  readonly regex: RegExp;
  /** Literal text every match must start with; used to place the regex in the path trie. */
  readonly literalPrefix: string;
}

const INLINE_FLAGS = /^\(\?([imsUux]+)\)/;

/** Rust syntax that JavaScript spells differently: `(?P<name>` and the `\A`/`\z` anchors. */
function translateSyntax(source: string): string {
  return source.replace(/\(\?P</g, '(?<').replace(/\\A/g, '^').replace(/\\z/g, '(?![\\s\\S])');
}

/** Leading inline flags such as `(?i)` become RegExp flags; JavaScript has no inline form. */
function splitInlineFlags(source: string): { body: string; flags: string } {
  const m = INLINE_FLAGS.exec(source);
  if (m === null) return { body: source, flags: '' };
  let flags = '';
  for (const f of m[1]) {
    if (f === 'i' && !flags.includes('i')) flags += 'i';
    else if (f === 's' && !flags.includes('s')) flags += 's';
    else if (f === 'm' && !flags.includes('m')) flags += 'm';
    else if (f !== 'u') throw new Error(`unsupported inline flag '${f}'`);
  }
  return { body: source.slice(m[0].length), flags };
}

const META = new Set(['\\', '^', '$', '.', '|', '?', '*', '+', '(', ')', '[', ']', '{', '}']);
const QUANTIFIERS = new Set(['?', '*', '{']);

/** Longest literal start of a pattern; '' when an alternation could make any branch match without it. */
function literalPrefixOf(body: string, flags: string): string {
  if (flags.includes('i') || body.includes('|')) return '';
  let end = 0;
  while (end < body.length && !META.has(body[end])) end++;
  // A quantifier that can repeat zero times makes the preceding character optional.
  if (end < body.length && QUANTIFIERS.has(body[end]) && end > 0) end--;
  return body.slice(0, end);
}

/** Compiles a route regex (without its `~`) as Kong matches it against the normalized path: `^` + source. */
export function compilePathRegex(source: string): CompiledPathRegex {
  const { body, flags } = splitInlineFlags(source);
  const translated = translateSyntax(body);
  return { regex: new RegExp('^' + translated, flags), literalPrefix: literalPrefixOf(body, flags) };
}

/** Header value regex (`~*` prefix removed): unanchored, case-insensitive, as ATC matches the lower-cased value. */
export function compileHeaderRegex(source: string): RegExp {
  const { body, flags } = splitInlineFlags(source);
  return new RegExp(translateSyntax(body), flags.includes('i') ? flags : flags + 'i');
}
