// Route regexes are written in Kong's dialect (regex-dialect.ts, the parser the schema validates with too). They
// are translated once to JavaScript, anchored the way Kong anchors them (`^` prepended to the source, nothing else).
import { translateKongRegex } from '../regex-dialect';

export interface CompiledPathRegex {
  readonly regex: RegExp;
  /** Literal text every match must start with; used to place the regex in the path trie. */
  readonly literalPrefix: string;
}

function translate(source: string) {
  const result = translateKongRegex(source);
  if (!result.ok) throw new Error(result.error.message);
  return result.regex;
}

/** Compiles a route regex (without its `~`) as Kong matches it against the normalized path: `^` + source. */
export function compilePathRegex(source: string): CompiledPathRegex {
  const { source: js, flags, literalPrefix } = translate(source);
  return { regex: new RegExp('^' + js, flags), literalPrefix };
}

/**
 * Header value regex (`~*` prefix removed): unanchored, case-insensitive, as ATC matches the lower-cased value.
 * Case-insensitive by a leading `(?i)`, which the translation spells out as letter classes, not by the `i` flag:
 * V8's linear-time fallback (process-guard.ts) cannot run `i` expressions, and a header value is the client's.
 */
export function compileHeaderRegex(source: string): RegExp {
  const { source: js, flags } = translate(`(?i)${source}`);
  return new RegExp(js, flags);
}
