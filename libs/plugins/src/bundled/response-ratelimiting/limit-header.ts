// The upstream's report of what a response consumed: `X-Kong-Limit: videos=2, images=1`.

/**
 * Increments by limit index. Parts are `name=count` (exactly one `=`); names are trimmed and must be configured;
 * a count that is not a base-10 integer is ignored (Kong: tonumber(v, 10)).
 */
export function parseLimitHeader(value: string | undefined, indexOf: ReadonlyMap<string, number>): Map<number, number> {
  const out = new Map<number, number>();
  if (value === undefined) return out;
  for (const part of value.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 0 || part.indexOf('=', eq + 1) >= 0) continue;
    const index = indexOf.get(part.slice(0, eq).trim());
    if (index === undefined) continue;
    const count = part.slice(eq + 1).trim();
    if (/^-?\d+$/.test(count)) out.set(index, Number(count));
    else out.delete(index);
  }
  return out;
}
