// Kong's route regex dialect -> JavaScript. With `router_flavor = traditional_compatible` (Kong 3.x's default) a
// regex path must pass two compilers: the schema dry-runs it with PCRE (`invalid regex: ... (PCRE returned: ...)`)
// and the router compiles it with Rust's `regex` crate (`Router Expression failed validation: ...`). So the
// dialect is what both accept, matched with Rust's meaning (`.` never matches `\n`, `$` is the end of the text,
// `(?i)` may start anywhere and be scoped). This file is the one parser of that dialect: the schema validates
// with it and the router compiles with it, so a path is never accepted by one and refused by the other.
// The same parser reads ngx.re's patterns (dialect 'pcre': PCRE alone, so look-around, backreferences and PCRE's
// literal `{` and `[` are accepted), so every operator's and plugin's expression reaches V8 in one spelling: flags
// as classes and anchors rather than the `i` flag, `u` only where needed (needsUnicodeMode), which is what V8's
// linear-time fallback can run (libs/logging/src/process-guard.ts).
// Pure (no imports): the schema library and the proxy both load it.

export type DialectEngine = 'pcre' | 'rust';

/**
 * 'route': Kong's route regexes, what both PCRE and Rust's `regex` crate accept, with Rust's meaning. 'pcre':
 * ngx.re's patterns (PCRE2 as OpenResty compiles them), where JavaScript can say the same thing.
 */
export interface DialectOptions {
  readonly dialect?: 'route' | 'pcre';
  /** PCRE's UTF mode (ngx.re's `u`/`U` options): case-insensitive matching folds non-ASCII letters too. */
  readonly utf?: boolean;
}

export interface DialectError {
  /** Which of Kong's two compilers refuses the pattern (PCRE answers first, as Kong's field check runs first). */
  readonly engine: DialectEngine;
  readonly message: string;
}

export interface TranslatedRegex {
  /** JavaScript source; anchors, flags and classes already spelled out. */
  readonly source: string;
  /**
   * `u` when the source needs it (needsUnicodeMode), else none; and (dialect 'pcre' only) `i` where case-insensitive
   * matching cannot be spelled as letter classes: with a backreference (`(a)\1` matches `aA`) or non-ASCII letters
   * in UTF mode. Expressions with either cannot run on V8's linear-time engine anyway.
   */
  readonly flags: string;
  /** Literal text every match starts with ('' when unknown); places the regex in the router's path trie. */
  readonly literalPrefix: string;
}

export type DialectResult = { readonly ok: true; readonly regex: TranslatedRegex } | { readonly ok: false; readonly error: DialectError };


/**
 * Whether a translation needs JavaScript's `u` mode: code point escapes, property classes, or characters beyond
 * ASCII. An ASCII-only source means the same without it, and only without it can V8 finish a match that backtracks
 * without end on its linear-time engine (process-guard.ts: its fallback does not run `u` expressions), where
 * `~/r/(a+)+$` against 40 a's and a `!` otherwise holds a worker for hours.
 */
function needsUnicodeMode(source: string): boolean {
  return /\\u\{|\\[pP]\{|[^\x00-\x7f]/.test(source);
}

class Refused extends Error {
  constructor(readonly engine: DialectEngine, message: string) {
    super(message);
  }
}

const pcre = (message: string) => new Refused('pcre', message);
const rust = (message: string) => new Refused('rust', message);

const LOOK_AROUND = 'look-around, including look-ahead and look-behind, is not supported';
const BACKREF = 'backreferences are not supported';
/** Written escaped in JavaScript `u` mode, outside and inside classes. */
const JS_SYNTAX = new Set([...'^$\\.*+?()[]{}|/']);
const CLASS_SYNTAX = new Set([...'\\]^-[']);
const DIGIT = /[0-9]/;
const HEX = /^[0-9A-Fa-f]$/;

interface Flags {
  i: boolean;
  m: boolean;
  s: boolean;
  x: boolean;
  U: boolean;
}

/** A parsed class item: a code point range, or an escape JavaScript spells the same way (`\d`, `\p{L}`). */
type ClassItem = { readonly lo: number; readonly hi: number } | { readonly raw: string };

const POSIX: Readonly<Record<string, string>> = {
  alnum: '0-9A-Za-z', alpha: 'A-Za-z', ascii: '\\x00-\\x7F', blank: '\\t ', cntrl: '\\x00-\\x1F\\x7F', digit: '0-9',
  graph: '!-~', lower: 'a-z', print: ' -~', punct: '!-\\/:-@\\[-`{-~', space: '\\t\\n\\v\\f\\r ', upper: 'A-Z',
  word: '0-9A-Za-z_', xdigit: '0-9A-Fa-f',
};

function codeUnit(cp: number, inClass: boolean): string {
  const ch = String.fromCodePoint(cp);
  if (cp < 0x20 || cp === 0x7f) return '\\x' + cp.toString(16).padStart(2, '0');
  if (inClass ? CLASS_SYNTAX.has(ch) : JS_SYNTAX.has(ch)) return '\\' + ch;
  return ch;
}

const isLetter = (cp: number) => (cp >= 0x41 && cp <= 0x5a) || (cp >= 0x61 && cp <= 0x7a);
const swapCase = (cp: number) => (cp >= 0x61 ? cp - 0x20 : cp + 0x20);

/** Adds the other ASCII case of every letter a range covers (Rust's (?i) on the ASCII letters). */
function caseClosed(items: readonly ClassItem[]): ClassItem[] {
  const out = [...items];
  for (const item of items) {
    if (!('lo' in item)) continue;
    for (const [a, z] of [[0x41, 0x5a], [0x61, 0x7a]]) {
      const lo = Math.max(item.lo, a);
      const hi = Math.min(item.hi, z);
      if (lo <= hi) out.push({ lo: swapCase(lo), hi: swapCase(hi) });
    }
  }
  return out;
}

function classSource(items: readonly ClassItem[], negated: boolean): string {
  const body = items.map((item) => ('raw' in item ? item.raw : item.lo === item.hi ? codeUnit(item.lo, true) : `${codeUnit(item.lo, true)}-${codeUnit(item.hi, true)}`));
  return `[${negated ? '^' : ''}${body.join('')}]`;
}

class Parser {
  private pos = 0;
  private out = '';
  private groupNames = new Set<string>();
  /** Literal prefix while it is still being read at the top level. */
  private prefix = '';
  private prefixOpen = true;
  /** dialect 'pcre': capturing groups, backreferences by number and name, and whether (?i) was ever on. */
  private groups = 0;
  private maxBackref = 0;
  private namedBackrefs = new Set<string>();
  private caseless = false;
  /** Inside \Q...\E: every character is a literal. */
  private quoting = false;
  private readonly pcreOnly: boolean;

  constructor(private readonly src: string, private readonly options: DialectOptions = {}) {
    this.pcreOnly = options.dialect === 'pcre';
  }

  parse(): TranslatedRegex {
    const flags: Flags = { i: false, m: false, s: false, x: false, U: false };
    this.out = this.alternation(flags, 0);
    if (this.pos < this.src.length) throw pcre('unmatched closing parenthesis');
    if (this.maxBackref > this.groups || [...this.namedBackrefs].some((name) => !this.groupNames.has(name))) {
      throw pcre('reference to non-existent subpattern');
    }
    const unicode = needsUnicodeMode(this.out);
    const backref = this.maxBackref > 0 || this.namedBackrefs.size > 0;
    const foldFlag = this.caseless && (backref || (unicode && this.options.utf === true));
    return { source: this.out, flags: (unicode ? 'u' : '') + (foldFlag ? 'i' : ''), literalPrefix: this.prefix };
  }

  private peek(offset = 0): string {
    return this.src[this.pos + offset] ?? '';
  }

  private skipExtended(flags: Flags): void {
    if (!flags.x || this.quoting) return;
    for (;;) {
      const c = this.peek();
      if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v') this.pos++;
      else if (c === '#') {
        while (this.pos < this.src.length && this.peek() !== '\n') this.pos++;
      } else return;
    }
  }

  /** branch ('|' branch)* up to an unmatched ')' or the end. `depth` 0 is the top level. */
  private alternation(flags: Flags, depth: number): string {
    const branches: string[] = [this.sequence(flags, depth)];
    while (this.peek() === '|') {
      this.pos++;
      if (depth === 0) this.closePrefix(true);
      branches.push(this.sequence(flags, depth));
    }
    return branches.join('|');
  }

  private closePrefix(discard = false): void {
    if (discard) this.prefix = '';
    this.prefixOpen = false;
  }

  private sequence(flags: Flags, depth: number): string {
    let out = '';
    for (;;) {
      this.skipExtended(flags);
      const c = this.peek();
      if (c === '' || (!this.quoting && (c === '|' || c === ')'))) return out;
      const atom = this.atom(flags, depth);
      if (atom === null) continue; // a flag group such as (?i) changes `flags` and matches nothing
      this.skipExtended(flags);
      const quantified = this.quantifier(flags, atom.repeatable);
      if (depth === 0 && this.prefixOpen) {
        if (atom.literal !== undefined && quantified === '') this.prefix += atom.literal;
        else this.closePrefix();
      }
      out += quantified === '' ? atom.source : `(?:${atom.source})${quantified}`;
    }
  }

  private quantifier(flags: Flags, repeatable: boolean): string {
    if (this.quoting && !this.src.startsWith('\\E', this.pos)) return '';
    if (this.quoting) {
      // the \E that ends a quote, then what follows it may repeat the quote's last character
      this.pos += 2;
      this.quoting = false;
    }
    const c = this.peek();
    let q = '';
    if (c === '*' || c === '+' || c === '?') {
      q = c;
      this.pos++;
    } else if (c === '{') {
      const m = /^\{(\d*)(,(\d*))?\}/.exec(this.src.slice(this.pos));
      if (this.pcreOnly && (!m || m[1] === '')) return ''; // PCRE2: not a quantifier, a literal `{`
      if (!m || (m[1] === '' && m[3] === undefined)) throw rust('repetition quantifier expects a valid decimal');
      if (m[1] === '') throw rust('repetition quantifier expects a valid decimal'); // {,n}: PCRE2 10.42 reads it literally
      const min = Number(m[1]);
      const max = m[3] === undefined ? min : m[3] === '' ? Infinity : Number(m[3]);
      if (min > 65535 || (Number.isFinite(max) && max > 65535)) throw pcre('number too big in {} quantifier');
      if (max < min) throw pcre('numbers out of order in {} quantifier');
      q = m[0];
      this.pos += m[0].length;
    } else return '';
    if (!repeatable) throw pcre('quantifier does not follow a repeatable item');
    let lazy = false;
    if (this.peek() === '?') {
      lazy = true;
      this.pos++;
    } else if (this.peek() === '+') throw rust('possessive quantifiers are not supported');
    if (flags.U) lazy = !lazy;
    this.skipExtended(flags);
    if (this.peek() === '*' || this.peek() === '+' || this.peek() === '?' || (this.peek() === '{' && /^\{\d/.test(this.src.slice(this.pos)))) {
      throw rust('nested repetition operators are not supported; use a group');
    }
    return q + (lazy ? '?' : '');
  }

  private literal(cp: number, flags: Flags): { source: string; repeatable: true; literal?: string } {
    if (flags.i) this.caseless = true;
    if (flags.i && isLetter(cp)) return { source: `[${String.fromCodePoint(cp)}${String.fromCodePoint(swapCase(cp))}]`, repeatable: true };
    return { source: codeUnit(cp, false), repeatable: true, literal: String.fromCodePoint(cp) };
  }

  private atom(flags: Flags, depth: number): { source: string; repeatable: boolean; literal?: string } | null {
    if (this.pcreOnly) {
      const pcreAtom = this.pcreAtom(flags, depth);
      if (pcreAtom !== undefined) return pcreAtom;
    }
    const c = this.peek();
    switch (c) {
      case '(':
        return this.group(flags, depth);
      case '[':
        return { source: this.charClass(flags), repeatable: true };
      case '.': {
        this.pos++;
        const any = flags.s ? '[\\s\\S]' : '[^\\n]';
        // PCRE's UTF mode: `.` is a whole character. Without JavaScript's `u` (which the linear-time engine cannot
        // run) a character beyond U+FFFF is two code units, so the pair is spelled out. Negated classes and \W, \S,
        // \D still see one code unit of such a character.
        if (this.options.utf === true) return { source: `(?:[\\uD800-\\uDBFF][\\uDC00-\\uDFFF]|${any})`, repeatable: true };
        return { source: any, repeatable: true };
      }
      case '^':
        this.pos++;
        return { source: flags.m ? '(?<![^\\n])' : '^', repeatable: false };
      case '$':
        this.pos++;
        return { source: flags.m ? '(?![^\\n])' : '$', repeatable: false };
      case '*':
      case '+':
      case '?':
        throw pcre('quantifier does not follow a repeatable item');
      case '{':
        // PCRE reads a lone `{` as a literal; Rust refuses it, and Kong needs both to accept
        if (/^\{\d+(,\d*)?\}/.test(this.src.slice(this.pos))) throw pcre('quantifier does not follow a repeatable item');
        throw rust('repetition operator missing expression');
      case '\\':
        return this.escape(flags);
      default: {
        const cp = this.src.codePointAt(this.pos)!;
        this.pos += cp > 0xffff ? 2 : 1;
        return this.literal(cp, flags);
      }
    }
  }

  /**
   * dialect 'pcre': the syntax PCRE accepts and Rust (so the route dialect) does not, where JavaScript can say it;
   * undefined for everything else, which the shared code reads.
   */
  private pcreAtom(flags: Flags, depth: number): { source: string; repeatable: boolean; literal?: string } | null | undefined {
    const c = this.peek();
    const rest = this.src.slice(this.pos);
    if (this.quoting) {
      if (rest.startsWith('\\E')) {
        this.pos += 2;
        this.quoting = false;
        return null;
      }
      const cp = this.src.codePointAt(this.pos)!;
      this.pos += cp > 0xffff ? 2 : 1;
      return this.literal(cp, flags);
    }
    if (c === '{' && !/^\{\d+(,\d*)?\}/.test(rest)) {
      this.pos++;
      return this.literal(0x7b, flags);
    }
    if (c === '(' && this.peek(1) === '?') {
      const look = /^\(\?(=|!|<=|<!)/.exec(rest);
      if (look) {
        this.pos += look[0].length;
        if (depth === 0) this.closePrefix();
        const inner = this.alternation({ ...flags }, depth + 1);
        if (this.peek() !== ')') throw pcre('missing closing parenthesis');
        this.pos++;
        return { source: `(?${look[1]}${inner})`, repeatable: false };
      }
      if (this.peek(2) === '#') {
        const end = this.src.indexOf(')', this.pos);
        if (end < 0) throw pcre('missing ) after (?# comment');
        this.pos = end + 1;
        return null;
      }
      if (this.peek(2) === "'") {
        this.pos += 3;
        if (depth === 0) this.closePrefix();
        this.groups++;
        const open = `(?<${this.groupName("'")}>`;
        const inner = this.alternation({ ...flags }, depth + 1);
        if (this.peek() !== ')') throw pcre('missing closing parenthesis');
        this.pos++;
        return { source: `${open}${inner})`, repeatable: true };
      }
      const named = /^\(\?P=(\w+)\)/.exec(rest);
      if (named) {
        this.pos += named[0].length;
        return this.namedBackref(named[1], flags);
      }
      return undefined;
    }
    if (c !== '\\') return undefined;
    const e = this.peek(1);
    if (DIGIT.test(e)) {
      const digits = /^\d+/.exec(this.src.slice(this.pos + 1))![0];
      if (e === '0') {
        // \0 and up to two more octal digits: a character
        const octal = /^0[0-7]{0,2}/.exec(digits)![0];
        this.pos += 1 + octal.length;
        return this.literal(parseInt(octal, 8), flags);
      }
      // PCRE: \1 to \9 are backreferences; \10 and up only when that many groups precede, else octal digits
      if (digits.length > 1 && Number(digits) > this.groups && /^[0-7]/.test(digits)) {
        const octal = /^[0-7]{1,3}/.exec(digits)![0];
        this.pos += 1 + octal.length;
        return this.literal(parseInt(octal, 8) & 0xff, flags);
      }
      this.pos += 1 + digits.length;
      const n = Number(digits);
      this.maxBackref = Math.max(this.maxBackref, n);
      if (flags.i) this.caseless = true;
      if (depth === 0) this.closePrefix();
      return { source: `(?:\\${n})`, repeatable: true }; // grouped: a digit after it is not part of the number
    }
    const ref = /^\\(?:k<(\w+)>|k\{(\w+)\}|k'(\w+)'|g\{(\w+)\}|g(\d+))/.exec(rest);
    if (ref) {
      this.pos += ref[0].length;
      const name = ref[1] ?? ref[2] ?? ref[3] ?? ref[4] ?? ref[5];
      if (/^\d+$/.test(name)) {
        this.maxBackref = Math.max(this.maxBackref, Number(name));
        if (flags.i) this.caseless = true;
        return { source: `(?:\\${Number(name)})`, repeatable: true };
      }
      return this.namedBackref(name, flags);
    }
    if (e === 'Z') {
      this.pos += 2;
      return { source: '(?=\\n?$)', repeatable: false };
    }
    if (e === 'e') {
      this.pos += 2;
      return this.literal(0x1b, flags);
    }
    if (e === 'Q') {
      // \Q...\E: every character between is a literal atom of its own (a quantifier after \E repeats the last)
      this.pos += 2;
      this.quoting = true;
      return null;
    }
    if (e === 'E') {
      this.pos += 2;
      return null;
    }
    return undefined;
  }

  private namedBackref(name: string, flags: Flags): { source: string; repeatable: boolean } {
    this.namedBackrefs.add(name);
    if (flags.i) this.caseless = true;
    this.closePrefix();
    return { source: `(?:\\k<${name}>)`, repeatable: true };
  }

  private escape(flags: Flags): { source: string; repeatable: boolean; literal?: string } {
    this.pos++; // the backslash
    const c = this.peek();
    if (c === '') throw pcre('\\ at end of pattern');
    this.pos++;
    switch (c) {
      case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
        return { source: '\\' + c, repeatable: true };
      case 'b': case 'B':
        return { source: '\\' + c, repeatable: false };
      // no `m` flag is ever given to JavaScript, so its ^ and $ are the start and end of the text
      case 'A':
        return { source: '^', repeatable: false };
      case 'z':
        return { source: '$', repeatable: false };
      case 'n': return this.literal(0x0a, flags);
      case 't': return this.literal(0x09, flags);
      case 'r': return this.literal(0x0d, flags);
      case 'f': return this.literal(0x0c, flags);
      case 'v': return this.literal(0x0b, flags);
      case 'a': return this.literal(0x07, flags);
      case 'x': return this.literal(this.hexEscape(), flags);
      case 'p': case 'P':
        return { source: this.unicodeClass(c), repeatable: true };
      case 'u': case 'U': case 'N': case 'L': case 'l':
        throw pcre('PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u');
      case 'Z': case 'G': case 'K': case 'h': case 'H': case 'R': case 'X': case 'C': case 'Q': case 'E': case 'e': case 'g': case 'k': case 'c': case 'o':
        throw rust('unrecognized escape sequence');
      default:
        if (DIGIT.test(c)) throw rust(BACKREF); // PCRE: a backreference (or octal \0); Rust has neither
        if (/[A-Za-z]/.test(c)) throw pcre('unrecognized character follows \\');
        if (c === '<' || c === '>') throw pcre('unrecognized character follows \\'); // Rust's word-boundary shorthands; PCRE2 has none
        return this.literal(c.codePointAt(0)!, flags);
    }
  }

  private hexEscape(): number {
    if (this.peek() === '{') {
      const end = this.src.indexOf('}', this.pos);
      const digits = end < 0 ? '' : this.src.slice(this.pos + 1, end);
      if (end < 0 || digits === '' || ![...digits].every((d) => HEX.test(d))) throw pcre('non-hex character in \\x{} (closing brace missing?)');
      this.pos = end + 1;
      const cp = parseInt(digits, 16);
      if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw pcre('character code point value in \\x{} or \\o{} is too large');
      return cp;
    }
    if (this.pcreOnly && !(HEX.test(this.peek()) && HEX.test(this.peek(1)))) {
      // PCRE: up to two hex digits (\x alone is NUL)
      const digits = HEX.test(this.peek()) ? this.peek() : '';
      this.pos += digits.length;
      return digits === '' ? 0 : parseInt(digits, 16);
    }
    if (!HEX.test(this.peek()) || !HEX.test(this.peek(1))) throw rust('invalid hexadecimal digit');
    const cp = parseInt(this.src.slice(this.pos, this.pos + 2), 16);
    this.pos += 2;
    return cp;
  }

  private unicodeClass(kind: string): string {
    let name: string;
    if (this.peek() === '{') {
      const end = this.src.indexOf('}', this.pos);
      if (end < 0) throw pcre('malformed \\P or \\p sequence');
      name = this.src.slice(this.pos + 1, end);
      this.pos = end + 1;
    } else {
      name = this.peek();
      this.pos++;
    }
    const negated = name.startsWith('^');
    if (negated) name = name.slice(1);
    const source = `\\${negated === (kind === 'P') ? 'p' : 'P'}{${name}}`;
    try {
      new RegExp(source, 'u');
    } catch {
      throw pcre('unknown property name after \\P or \\p');
    }
    return source;
  }

  private group(flags: Flags, depth: number): { source: string; repeatable: boolean } | null {
    this.pos++; // '('
    let open = '(';
    if (this.peek() === '?') {
      this.pos++;
      const c = this.peek();
      if (c === ':') {
        this.pos++;
        open = '(?:';
      } else if (c === 'P' && this.peek(1) === '<') {
        this.pos += 2;
        open = `(?<${this.groupName('>')}>`;
      } else if (c === '<' && this.peek(1) !== '=' && this.peek(1) !== '!') {
        this.pos++;
        open = `(?<${this.groupName('>')}>`;
      } else if (c === '=' || c === '!' || (c === '<' && (this.peek(1) === '=' || this.peek(1) === '!'))) {
        this.validateRest(flags);
        throw rust(LOOK_AROUND);
      } else if (c === "'" || (c === 'P' && (this.peek(1) === '=' || this.peek(1) === '>'))) {
        this.validateRest(flags);
        throw rust(c === "'" ? 'invalid capture group name' : BACKREF);
      } else if (c === '>' || c === '|' || c === '#' || c === '(' || c === 'R' || c === '&' || DIGIT.test(c) || c === '+') {
        this.validateRest(flags);
        throw rust('this group syntax is not supported');
      } else {
        return this.flagGroup(flags, depth);
      }
    }
    if (depth === 0) this.closePrefix();
    if (open !== '(?:') this.groups++;
    const inner = this.alternation({ ...flags }, depth + 1);
    if (this.peek() !== ')') throw pcre('missing closing parenthesis');
    this.pos++;
    return { source: `${open}${inner})`, repeatable: true };
  }

  /** The rest of a group Rust refuses, read only to let PCRE report a syntax error first (as Kong does). */
  private validateRest(flags: Flags): void {
    let depthCount = 1;
    while (this.pos < this.src.length && depthCount > 0) {
      const c = this.peek();
      if (c === '\\') this.pos += 2;
      else if (c === '[') this.charClass(flags);
      else {
        if (c === '(') depthCount++;
        if (c === ')') depthCount--;
        this.pos++;
      }
    }
    if (depthCount > 0) throw pcre('missing closing parenthesis');
  }

  private groupName(close: string): string {
    const end = this.src.indexOf(close, this.pos);
    if (end < 0) throw pcre('syntax error in subpattern name (missing terminator?)');
    const name = this.src.slice(this.pos, end);
    if (name === '') throw pcre('subpattern name expected');
    if (DIGIT.test(name[0])) throw pcre('subpattern name must start with a non-digit');
    if (!/^\w+$/.test(name)) throw pcre('syntax error in subpattern name (missing terminator?)');
    if (name.length > 32) throw pcre('subpattern name is too long (maximum 32 code units)');
    if (this.groupNames.has(name)) throw pcre('two named subpatterns have the same name (PCRE2_DUPNAMES not set)');
    this.groupNames.add(name);
    this.pos = end + close.length;
    return name;
  }

  /** `(?flags)` changes the rest of the enclosing group; `(?flags:...)` only its own body. */
  private flagGroup(flags: Flags, depth: number): { source: string; repeatable: boolean } | null {
    const m = /^([A-Za-z]*)(?:-([A-Za-z]*))?([:)])/.exec(this.src.slice(this.pos));
    if (!m) throw pcre('unrecognized character after (? or (?-');
    const next: Flags = { ...flags };
    for (const [letters, on] of [[m[1], true], [m[2] ?? '', false]] as const) {
      for (const f of letters) {
        if (f === 'i' || f === 'm' || f === 's' || f === 'x' || f === 'U') next[f] = on;
        else if (f === 'J' || f === 'n') throw rust('unrecognized flag');
        else throw pcre('unrecognized character after (? or (?-');
      }
    }
    if (m[2] === '' || (m[1] === '' && m[2] === undefined)) throw rust('expected flag but got end of flag group');
    this.pos += m[0].length;
    if (m[3] === ')') {
      Object.assign(flags, next);
      if (depth === 0 && flags.i) this.closePrefix();
      return null;
    }
    if (depth === 0) this.closePrefix();
    const inner = this.alternation(next, depth + 1);
    if (this.peek() !== ')') throw pcre('missing closing parenthesis');
    this.pos++;
    return { source: `(?:${inner})`, repeatable: true };
  }

  private classAtom(): ClassItem {
    const c = this.peek();
    if (c === '\\') {
      this.pos++;
      const e = this.peek();
      if (e === '') throw pcre('\\ at end of pattern');
      this.pos++;
      switch (e) {
        case 'd': case 'D': case 'w': case 'W': case 's': case 'S':
          return { raw: '\\' + e };
        case 'n': return { lo: 0x0a, hi: 0x0a };
        case 't': return { lo: 0x09, hi: 0x09 };
        case 'r': return { lo: 0x0d, hi: 0x0d };
        case 'f': return { lo: 0x0c, hi: 0x0c };
        case 'v': return { lo: 0x0b, hi: 0x0b };
        case 'a': return { lo: 0x07, hi: 0x07 };
        case 'x': {
          const cp = this.hexEscape();
          return { lo: cp, hi: cp };
        }
        case 'p': case 'P':
          return { raw: this.unicodeClass(e) };
        case 'u': case 'U': case 'N': case 'L': case 'l':
          throw pcre('PCRE2 does not support \\F, \\L, \\l, \\N{name}, \\U, or \\u');
        default:
          if (this.pcreOnly && e === 'b') return { lo: 0x08, hi: 0x08 }; // PCRE: backspace inside a class
          if (this.pcreOnly && e === 'e') return { lo: 0x1b, hi: 0x1b };
          if (/[A-Za-z0-9]/.test(e)) {
            if (/[A-Za-z]/.test(e) && !'bBhHRXZGKEQeckgo'.includes(e)) throw pcre('unrecognized character follows \\');
            throw rust('unrecognized escape sequence');
          }
          return { lo: e.codePointAt(0)!, hi: e.codePointAt(0)! };
      }
    }
    if (c === '[' && this.peek(1) === ':') {
      const m = /^\[:(\^?)([a-z]+):\]/.exec(this.src.slice(this.pos));
      if (m) {
        const set = POSIX[m[2]];
        if (!set) throw pcre('unknown POSIX class name');
        this.pos += m[0].length;
        // a negated POSIX class inside a class: JavaScript has no class-in-class without the v flag
        if (m[1]) throw rust('negated POSIX classes inside a class are not supported by this dialect');
        return { raw: set };
      }
    }
    if (c === '[' && !this.pcreOnly) throw rust('nested character classes are not supported by this dialect');
    if (((c === '&' && this.peek(1) === '&') || (c === '~' && this.peek(1) === '~')) && !this.pcreOnly) throw rust('character class set operations are not supported by this dialect');
    const cp = this.src.codePointAt(this.pos)!;
    this.pos += cp > 0xffff ? 2 : 1;
    return { lo: cp, hi: cp };
  }

  private charClass(flags: Flags): string {
    const start = this.pos;
    this.pos++; // '['
    let negated = false;
    if (this.peek() === '^') {
      negated = true;
      this.pos++;
    }
    const items: ClassItem[] = [];
    let first = true;
    for (;;) {
      const c = this.peek();
      if (c === '') {
        this.pos = start;
        throw pcre('missing terminating ] for character class');
      }
      if (c === ']' && !first) {
        this.pos++;
        break;
      }
      first = false;
      if (c === '-' && this.peek(1) === '-' && !this.pcreOnly) throw rust('character class set operations are not supported by this dialect');
      const lo = this.classAtom();
      if (this.peek() === '-' && this.peek(1) !== ']' && this.peek(1) !== '') {
        this.pos++;
        const hi = this.classAtom();
        if (!('lo' in lo) || !('lo' in hi)) throw pcre('invalid range in character class');
        if (hi.lo < lo.lo) throw pcre('range out of order in character class');
        items.push({ lo: lo.lo, hi: hi.lo });
      } else items.push(lo);
    }
    if (flags.i) this.caseless = true;
    return classSource(flags.i ? caseClosed(items) : items, negated);
  }
}

/**
 * Translates a route regex (without its `~`) in Kong's dialect, or (options.dialect 'pcre') an ngx.re pattern.
 * Anchoring is the caller's: Kong prepends `^` to path regexes and leaves header regexes unanchored.
 */
export function translateKongRegex(source: string, options: DialectOptions = {}): DialectResult {
  try {
    const regex = new Parser(source, options).parse();
    new RegExp(regex.source, regex.flags); // the translation is ours: a failure here is a bug, reported as refusal
    return { ok: true, regex };
  } catch (err) {
    if (err instanceof Refused) return { ok: false, error: { engine: err.engine, message: err.message } };
    return { ok: false, error: { engine: 'rust', message: (err as Error).message } };
  }
}

/** Kong's field message for a pattern PCRE refuses (typedefs.router_path). */
export function pcreMessage(source: string, message: string): string {
  return `invalid regex: '${source}' (PCRE returned: pcre2_compile() failed: ${message} in "${source}")`;
}

/** Kong's entity message for a pattern the Rust `regex` crate refuses (routes' ATC validation). */
export function rustMessage(source: string, message: string): string {
  return `Router Expression failed validation: regex parse error: ${source}: ${message}`;
}
