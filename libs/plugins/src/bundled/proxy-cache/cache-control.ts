// Cache-Control as Kong's proxy-cache reads it (kong.tools.http parse_directive_header and
// calculate_resource_ttl): directives split on commas, names lower-cased, a value kept as a number when it
// reads as one, a directive without value is `true`.

export type Directives = ReadonlyMap<string, number | string | true>;

const EMPTY: Directives = new Map();
const DIRECTIVE = /^\s*([^=]+)(?:=(.+))?/;

export function parseDirectives(header: string | readonly string[] | undefined): Directives {
  if (header === undefined) return EMPTY;
  const text = typeof header === 'string' ? header : header.join(', ');
  const out = new Map<string, number | string | true>();
  for (const part of text.split(',')) {
    if (part === '') continue;
    const m = DIRECTIVE.exec(part);
    if (!m) continue;
    const value = m[2];
    out.set(m[1].toLowerCase(), value === undefined ? true : asNumber(value) ?? value);
  }
  return out;
}

/** Lua's tonumber for the decimal forms a directive value takes. */
function asNumber(text: string): number | undefined {
  const t = text.trim();
  if (!/^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(t)) return undefined;
  return Number(t);
}

/** A directive's numeric value (a non-numeric one counts as absent: Kong could not compare it). */
export function numeric(cc: Directives, name: string): number | undefined {
  const v = cc.get(name);
  return typeof v === 'number' ? v : undefined;
}

/** Seconds a response may be cached: s-maxage, else max-age, else Expires minus now; never below 0. */
export function resourceTtl(cc: Directives, expires: string | undefined, nowS: number): number {
  let maxAge = numeric(cc, 's-maxage') ?? numeric(cc, 'max-age');
  if (maxAge === undefined && expires !== undefined) {
    const at = Date.parse(expires);
    if (!Number.isNaN(at)) maxAge = Math.floor(at / 1000) - nowS;
  }
  return maxAge === undefined ? 0 : Math.max(maxAge, 0);
}
