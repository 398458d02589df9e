// llhttp matches request methods against its fixed list and stops on any other token with an error. nginx (and so
// Kong) takes any method made of A-Z, '_' and '-' (ngx_http_parse_request_line, states sw_start and sw_method), marks
// it unknown and proxies it; lower case or any other byte is a 400. This finds, from llhttp's error position, the
// token it refused and whether nginx would take it, so that the H1 server can parse that request anyway (h1-server.ts
// feeds the rest of it to the parser behind a method llhttp knows). Only ever runs for a refused method.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { methods } = require('_http_common') as { methods: string[] };

/** llhttp's reason when a method of its RTSP list (PLAY, SETUP...) reaches `HTTP/`: found only after the target. */
export const RTSP_METHOD_REASON = 'Invalid method for HTTP/x.x request';

/** The methods llhttp matches on HTTP/x.x requests: node's list (QUERY included) and PRI. */
const HTTP_METHODS = [...methods, 'PRI'];
/** llhttp's RTSP methods: matched too, then refused once the version says HTTP. */
const RTSP_METHODS = new Set(['DESCRIBE', 'ANNOUNCE', 'SETUP', 'PLAY', 'PAUSE', 'TEARDOWN', 'GET_PARAMETER', 'SET_PARAMETER', 'REDIRECT', 'RECORD', 'FLUSH']);
const ALL_METHODS = [...HTTP_METHODS, ...RTSP_METHODS];
const LONGEST = Math.max(...ALL_METHODS.map((m) => m.length));

let prefixes: Set<string> | null = null;
/** Every prefix llhttp can have matched before it stops ('' and whole names included); built on first use. */
function knownPrefixes(): Set<string> {
  if (prefixes === null) {
    prefixes = new Set();
    for (const m of ALL_METHODS) for (let i = 0; i <= m.length; i++) prefixes.add(m.slice(0, i));
  }
  return prefixes;
}
const WHOLE = new Set(ALL_METHODS);

const SPACE = 0x20;

/** nginx's method characters: A-Z, '_' and '-'. */
export function isMethodByte(b: number): boolean {
  return (b >= 0x41 && b <= 0x5a) || b === 0x5f || b === 0x2d;
}

/** Where a refused method lies in a buffer: bytes [start, end); end is its space, or the buffer's end (`open`). */
export interface MethodSpan {
  readonly start: number;
  readonly end: number;
  /** The bytes ended inside the token: the rest of it is still to come. */
  readonly open: boolean;
}

/**
 * llhttp stopped at `at` in `bytes` on a method (`rtsp`: with RTSP_METHOD_REASON). Returns the method's span, or null
 * when it is no method nginx takes (a byte outside A-Z _ -, or not followed by a space) or when its start is not in
 * `bytes`. The message starts no earlier than the run of method bytes before `at`; llhttp stops on the first byte no
 * method of its list continues with, so where the run holds the tail of a previous body, the start is where the bytes
 * up to `at` are a prefix llhttp could have taken (the longest such).
 */
export function refusedMethod(bytes: Buffer, at: number, rtsp: boolean): MethodSpan | null {
  if (rtsp) return rtspMethod(bytes, at);
  if (at >= bytes.length) return null;
  const stop = bytes[at];
  if (stop !== SPACE && !isMethodByte(stop)) return null;
  let run = at;
  while (run > 0 && at - run < LONGEST && isMethodByte(bytes[run - 1])) run--;
  const known = knownPrefixes();
  const next = String.fromCharCode(stop);
  let start = -1;
  for (let s = run; s <= at; s++) {
    const taken = bytes.toString('latin1', s, at);
    if (known.has(taken) && !known.has(taken + next) && !(stop === SPACE && WHOLE.has(taken))) {
      start = s;
      break;
    }
  }
  if (start < 0) return null;
  let end = at;
  while (end < bytes.length && isMethodByte(bytes[end])) end++;
  if (end === start) return null;
  if (end === bytes.length) return { start, end, open: true };
  return bytes[end] === SPACE ? { start, end, open: false } : null;
}

/** An RTSP method on HTTP/x.x: llhttp stopped in the version, after the target; the method is the line's first token. */
function rtspMethod(bytes: Buffer, at: number): MethodSpan | null {
  let i = Math.min(at, bytes.length);
  while (i > 0 && bytes[i - 1] !== SPACE) i--; // the version so far
  while (i > 0 && bytes[i - 1] === SPACE) i--;
  while (i > 0 && bytes[i - 1] !== SPACE) i--; // the target
  while (i > 0 && bytes[i - 1] === SPACE) i--;
  const end = i;
  let run = end;
  while (run > 0 && end - run < LONGEST && isMethodByte(bytes[run - 1])) run--;
  for (let s = run; s < end; s++) if (RTSP_METHODS.has(bytes.toString('latin1', s, end))) return { start: s, end, open: false };
  return null;
}
