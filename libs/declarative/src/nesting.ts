// How deep a document nests, read from its text before any parser recurses into it. Kong's JSON decoder refuses
// documents nested deeper than 1000 levels (cjson's decode_max_depth), answering "Cannot parse JSON body".
// Checking the text before parsing also keeps the recursive validators (and the YAML parser, which recurses once
// per level) far from the stack limit: a stack overflow inside V8's regular-expression compiler, reached through a
// parser, is not an exception but a fatal error of the whole process.

export const MAX_JSON_DEPTH = 1000;

const OPEN_OBJECT = 0x7b;
const OPEN_ARRAY = 0x5b;
const CLOSE_OBJECT = 0x7d;
const CLOSE_ARRAY = 0x5d;
const QUOTE = 0x22;
const BACKSLASH = 0x5c;

/** True when brackets outside strings nest deeper than `limit`. */
export function nestsDeeperThan(text: string, limit: number = MAX_JSON_DEPTH): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text.charCodeAt(i);
    if (inString) {
      if (ch === BACKSLASH) i++;
      else if (ch === QUOTE) inString = false;
    } else if (ch === QUOTE) {
      inString = true;
    } else if (ch === OPEN_OBJECT || ch === OPEN_ARRAY) {
      if (++depth > limit) return true;
    } else if (ch === CLOSE_OBJECT || ch === CLOSE_ARRAY) {
      depth--;
    }
  }
  return false;
}

const SPACE = 0x20;
const NEWLINE = 0x0a;

/**
 * An upper bound of a YAML document's nesting: its flow collections' depth (brackets outside double quotes, as
 * nestsDeeperThan counts) plus its block structure's, the count of ever deeper indentations open at once (a
 * line's leading spaces close the deeper ones). True when that bound exceeds `limit`.
 */
export function yamlNestsDeeperThan(text: string, limit: number): boolean {
  if (nestsDeeperThan(text, limit)) return true;
  const open: number[] = [];
  let deepestBlock = 0;
  for (let i = 0; i < text.length; i++) {
    let indent = 0;
    while (text.charCodeAt(i) === SPACE) {
      indent++;
      i++;
    }
    const first = text.charCodeAt(i);
    if (i < text.length && first !== NEWLINE && first !== 0x0d && first !== 0x23 /* # */) {
      while (open.length > 0 && open[open.length - 1] >= indent) open.pop();
      open.push(indent);
      if (open.length > deepestBlock) deepestBlock = open.length;
      // a compact sequence entry (`- - - x`) opens one more level per dash after the line's first
      let j = i;
      let dashes = 0;
      while (text.charCodeAt(j) === 0x2d /* - */ && text.charCodeAt(j + 1) === SPACE) {
        j += 2;
        if (dashes++ === 0) continue;
        open.push(indent + (j - i));
        if (open.length > deepestBlock) deepestBlock = open.length;
      }
    }
    const nl = text.indexOf('\n', i);
    if (nl === -1) break;
    i = nl;
  }
  return deepestBlock > limit;
}
