// Header names as the request and response views store them: lower-cased, and with the bytes a name cannot carry
// escaped. Plugins set the same few names on every request (X-Consumer-*, X-RateLimit-*), and
// String.prototype.toLowerCase allocates and scans each time (about three times the instructions of a Map hit on a
// name whose hash V8 already cached), so the views remember the names they saw. Bounded: names built from request
// data (a Lua plugin's) stop being remembered once the table is full.

const MAX_NAMES = 4096;
const stored = new Map<string, string>();

/**
 * A name as the views store it: `name.toLowerCase()`, then what is not an HTTP token character (control bytes,
 * space, separators such as `:` `(` `@`, DEL, and each byte of a non-ASCII character) percent-escaped as OpenResty
 * escapes a name given to ngx.header / ngx.req.set_header (`a\nb` is sent as `a%0ab`, Kong's `a%0Ab`: the hex is
 * lower-case as the whole name is, so a stored name stores as itself; Kong's PDK checks only that a name is a
 * string), so no name a plugin sets can break the head or be refused on the way out. Remembered.
 * hot path: no allocation for a name seen before.
 */
export function storedHeaderName(name: string): string {
  let out = stored.get(name);
  if (out === undefined) {
    out = escapeHeaderName(name.toLowerCase());
    if (stored.size < MAX_NAMES) stored.set(name, out);
  }
  return out;
}

/** RFC 9110 token characters: exactly the bytes OpenResty leaves as they are in a header name. */
const NOT_TOKEN = /[^!#$%&'*+\-.^_`|~0-9A-Za-z]/;

function escapeHeaderName(name: string): string {
  if (!NOT_TOKEN.test(name)) return name;
  let out = '';
  for (const byte of Buffer.from(name)) {
    const c = String.fromCharCode(byte);
    out += byte < 0x80 && !NOT_TOKEN.test(c) ? c : `%${byte.toString(16).padStart(2, '0')}`;
  }
  return out;
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
