// Lower-cased header names for the request and response views. Plugins set the same few names on every request
// (X-Consumer-*, X-RateLimit-*), and String.prototype.toLowerCase allocates and scans each time (about three times
// the instructions of a Map hit on a name whose hash V8 already cached), so the views remember the names they saw.
// Bounded: names built from request data (a Lua plugin's) stop being remembered once the table is full.

const MAX_NAMES = 4096;
const lowered = new Map<string, string>();

/** `name.toLowerCase()`, remembered. hot path: no allocation for a name seen before. */
export function lowerHeaderName(name: string): string {
  let lower = lowered.get(name);
  if (lower === undefined) {
    lower = name.toLowerCase();
    if (lowered.size < MAX_NAMES) lowered.set(name, lower);
  }
  return lower;
}

const LINE_BREAKING = /[\r\n\0]/;

/**
 * A header value a plugin set, as OpenResty stores it: CR, LF and NUL percent-escaped (%0D, %0A, %00), so no value
 * (a Lua snippet's, a template's rendering of request data) can end its line early or add one, on either side.
 */
export function safeHeaderValue(value: string): string {
  if (!LINE_BREAKING.test(value)) return value;
  return value.replace(/[\r\n\0]/g, (c) => (c === '\r' ? '%0D' : c === '\n' ? '%0A' : '%00'));
}

export function safeHeaderValues(value: string | readonly string[]): string | string[] {
  return typeof value === 'string' ? safeHeaderValue(value) : value.map(safeHeaderValue);
}
