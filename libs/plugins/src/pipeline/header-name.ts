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
