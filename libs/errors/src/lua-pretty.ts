// Kong embeds Penlight's compact pretty-print of Lua tables in several messages ('{name="foo"}').
// Reproduce it: keys sorted, identifier keys bare, other keys as ["key"], strings double-quoted, null as `null`.

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

function quote(text: string): string {
  return '"' + text.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n') + '"';
}

export function luaPretty(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return quote(value);
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return '{' + value.map(luaPretty).join(',') + '}';
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    const parts = Object.keys(record)
      .sort()
      .map((key) => (IDENTIFIER.test(key) ? key : '[' + quote(key) + ']') + '=' + luaPretty(record[key]));
    return '{' + parts.join(',') + '}';
  }
  return String(value);
}
