// Kong's proxy-cache matches a response's Content-Type against each configured one after parsing both as media
// types (kong.tools.mime_type): type and subtype compared lower-cased (`*` matches any), and the parameters must
// be exactly the same set (names lower-cased, values as written). So `application/json` does not match
// `application/json; charset=utf-8`, as in Kong.

export interface MediaType {
  readonly type: string;
  readonly subtype: string;
  readonly params: ReadonlyMap<string, string>;
}

const TOKEN = "[!#$%&'*+.^_`|~0-9A-Za-z-]+";
const HEAD = new RegExp(`^(?:(${TOKEN})/(${TOKEN})|(\\*))`);
const PARAM = new RegExp(`^[ \\t]*;[ \\t]*(${TOKEN})=(?:(${TOKEN})|"((?:[^"\\\\\\x00-\\x1f\\x7f]|\\\\[\\x00-\\x7f])*)")`);

/** null when the text is not a media type (the response is then not cacheable). */
export function parseMediaType(text: string): MediaType | null {
  const head = HEAD.exec(text);
  if (!head) return null;
  const type = head[3] ? '*' : head[1].toLowerCase();
  const subtype = head[3] ? '*' : head[2].toLowerCase();
  const params = new Map<string, string>();
  let rest = text.slice(head[0].length);
  while (rest !== '') {
    const p = PARAM.exec(rest);
    if (!p) return null;
    params.set(p[1].toLowerCase(), p[2] ?? p[3]);
    rest = rest.slice(p[0].length);
  }
  return { type, subtype, params };
}

export function mediaTypeMatches(actual: MediaType, expected: MediaType): boolean {
  if (expected.type !== '*' && expected.type !== actual.type) return false;
  if (expected.subtype !== '*' && expected.subtype !== actual.subtype) return false;
  if (expected.params.size !== actual.params.size) return false;
  for (const [k, v] of expected.params) if (actual.params.get(k) !== v) return false;
  return true;
}
