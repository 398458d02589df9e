// Scalar readers for kong.conf value syntax. Each returns the parsed value or a message fragment
// (without the key) so callers can build one problem list instead of failing on the first.

export type Parsed<T> = { ok: true; value: T } | { ok: false; message: string };

const ok = <T>(value: T): Parsed<T> => ({ ok: true, value });
const bad = (message: string): Parsed<never> => ({ ok: false, message });

const BOOLEANS: Readonly<Record<string, boolean>> = { on: true, true: true, off: false, false: false };

export function parseBoolean(text: string): Parsed<boolean> {
  const value = BOOLEANS[text.toLowerCase()];
  return value === undefined ? bad(`invalid boolean '${text}' (expected on, off, true or false)`) : ok(value);
}

export function parseNumber(text: string, opts: { integer?: boolean; min?: number; max?: number } = {}): Parsed<number> {
  // Number('') and Number(' ') are 0, and Number('0x10') is 16: only plain decimals are numbers here.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(text)) return bad(`invalid number '${text}'`);
  const value = Number(text);
  if (opts.integer && !Number.isInteger(value)) return bad(`invalid integer '${text}'`);
  if (opts.min !== undefined && value < opts.min) return bad(`must be at least ${opts.min}, got ${text}`);
  if (opts.max !== undefined && value > opts.max) return bad(`must be at most ${opts.max}, got ${text}`);
  return ok(value);
}

const SIZE_UNITS: Readonly<Record<string, number>> = { '': 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3 };

/** nginx size syntax: `0`, `512`, `1k`, `10m`, `1g` (case-insensitive) -> bytes. */
export function parseSize(text: string): Parsed<number> {
  const match = /^(\d+)([kmg]?)$/i.exec(text);
  if (!match) return bad(`invalid size '${text}' (expected bytes with an optional k, m or g suffix, e.g. 10m)`);
  return ok(Number(match[1]) * SIZE_UNITS[match[2].toLowerCase()]);
}

const TIME_UNITS_MS: Readonly<Record<string, number>> = {
  ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000,
};

/** nginx time syntax (`500ms`, `60s`, `30m`, `1h`, `1d`, `1w`, or combined `1m30s`); a bare number is seconds. Returns ms. */
export function parseDurationMs(text: string): Parsed<number> {
  if (/^\d+$/.test(text)) return ok(Number(text) * 1000);
  const parts = /^(?:\d+(?:ms|s|m|h|d|w))+$/.test(text) ? text.match(/\d+(?:ms|s|m|h|d|w)/g) : null;
  if (!parts) return bad(`invalid duration '${text}' (expected e.g. 500ms, 60s, 30m, 1h; a bare number is seconds)`);
  let total = 0;
  for (const part of parts) {
    const [, amount, unit] = /^(\d+)(\w+)$/.exec(part)!;
    total += Number(amount) * TIME_UNITS_MS[unit];
  }
  return ok(total);
}

/** Same syntax as parseDurationMs but in whole seconds (socket options take seconds). */
export function parseDurationSeconds(text: string): Parsed<number> {
  const parsed = parseDurationMs(text);
  if (!parsed.ok) return parsed;
  if (parsed.value % 1000 !== 0) return bad(`invalid duration '${text}' (must be whole seconds)`);
  return ok(parsed.value / 1000);
}

/** kong.conf arrays: comma-separated (or whitespace-separated for a few nginx-derived keys), trimmed, empties dropped. */
export function splitList(text: string, separator: 'comma' | 'whitespace' = 'comma'): string[] {
  return text
    .split(separator === 'comma' ? ',' : /[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');
}
