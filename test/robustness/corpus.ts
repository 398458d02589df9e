// The hostile-input corpus: one row per case, replayed on raw sockets against a real node. `{P}` in a request is
// replaced by the case's own path (so its access-log line can be found); upstream cases end their path with a
// key of RESPONSES (support/raw-upstream.ts), which picks what the raw upstream answers.

export type Target = 'proxy' | 'admin';

export interface Expectation {
  /** Status of the first response; 0 = no response at all. */
  readonly status: number;
  /** The gateway closes the connection (else it may stay open for keep-alive). */
  readonly closed?: boolean;
  /** Must (not) appear in what the client received. */
  readonly has?: string;
  readonly lacks?: string;
}

export interface Case {
  readonly name: string;
  readonly on: Target;
  readonly request: string;
  /** Slow clients: the request is sent in these many pieces `gapMs` apart (then the client goes quiet). */
  readonly pieces?: number;
  readonly gapMs?: number;
  readonly expect: Expectation;
  /** proxy_access_log lines for this request: 1 when it reached the gateway's handler, 0 when the HTTP parser refused it. */
  readonly logged: 0 | 1;
  readonly deadlineMs?: number;
}

const H = 'Host: robust.test\r\n';
export const ADMIN_KEY = 'robust-admin-key';
const ADMIN_TOKEN = `Kong-Admin-Token: ${ADMIN_KEY}\r\n`;
const SMUGGLED = 'GET /smuggled HTTP/1.1\r\nHost: robust.test\r\n\r\n';
const bigHeader = `X-Big: ${'a'.repeat(40_000)}\r\n`;
const manyParams = Array.from({ length: 10_000 }, (_, i) => `p${i}=1`).join('&');

/** Framing and parsing attacks, the same bytes against both servers. */
function framing(on: Target): Case[] {
  const refused = (name: string, request: string, status = 400): Case => ({ name, on, request, expect: { status, closed: true }, logged: 0 });
  return [
    refused('CL + TE', `POST {P} HTTP/1.1\r\n${H}Content-Length: 6\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n${SMUGGLED}`),
    refused('TE + CL', `POST {P} HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\nContent-Length: 6\r\n\r\n0\r\n\r\n${SMUGGLED}`),
    refused('two different Content-Length', `POST {P} HTTP/1.1\r\n${H}Content-Length: 3\r\nContent-Length: 40\r\n\r\nabc${SMUGGLED}`),
    refused('Content-Length list', `POST {P} HTTP/1.1\r\n${H}Content-Length: 3, 3\r\n\r\nabc`),
    refused('negative Content-Length', `POST {P} HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`),
    // llhttp refuses it only once the body starts, after the request reached a handler: the proxy answers 400 (and
    // logs it), the Admin API has already refused the unauthenticated request
    { name: 'obfuscated Transfer-Encoding', on, request: `POST {P} HTTP/1.1\r\n${H}Transfer-Encoding: xchunked\r\n\r\n0\r\n\r\n`,
      expect: { status: on === 'proxy' ? 400 : 401, closed: true }, logged: on === 'proxy' ? 1 : 0 },
    refused('space before colon', `POST {P} HTTP/1.1\r\n${H}Transfer-Encoding : chunked\r\n\r\n0\r\n\r\n`),
    refused('obs-fold continuation line', `GET {P} HTTP/1.1\r\n${H}X-A: 1\r\n  folded\r\n\r\n`),
    refused('NUL in a header value', `GET {P} HTTP/1.1\r\n${H}X-A: a\u0000b\r\n\r\n`),
    refused('bare CR in a header value', `GET {P} HTTP/1.1\r\n${H}X-A: a\rb\r\n\r\n`),
    refused('invalid header name', `GET {P} HTTP/1.1\r\n${H}X(A): 1\r\n\r\n`),
    // tolerated, as nginx does
    { name: 'two spaces in the request line', on, request: `GET  {P}/ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`,
      expect: { status: on === 'proxy' ? 200 : 401 }, logged: on === 'proxy' ? 1 : 0 },
    // parsed as HTTP/0.9: no version the gateway speaks
    { name: 'no version in the request line', on, request: `GET {P}\r\n${H}\r\n`, expect: { status: 505, closed: true }, logged: on === 'proxy' ? 1 : 0 },
    refused('lowercase version', `GET {P} http/1.1\r\n${H}\r\n`),
    refused('unknown major version', `GET {P} HTTP/9.9\r\n${H}\r\n`),
    refused('invalid method token', `G(T {P} HTTP/1.1\r\n${H}\r\n`),
    // nginx refuses it after parsing the headers, with its error page (Kong's body: text/plain by default on the
    // proxy, error_default_type; JSON on the Admin API), and the proxy logs it
    { name: 'missing Host on HTTP/1.1', on, request: `GET {P} HTTP/1.1\r\nX-A: 1\r\n\r\n`,
      expect: { status: 400, closed: true, has: on === 'proxy' ? '\r\n\r\nBad request\nrequest_id: ' : '{"message":"Bad request"}' }, logged: on === 'proxy' ? 1 : 0 },
    refused('bare LF line endings', `GET {P} HTTP/1.1\n${H.trim()}\nX-A: 1\n\n`),
    refused('request line over the header buffer', `GET {P}?${'q'.repeat(40_000)} HTTP/1.1\r\n${H}\r\n`, 414),
    refused('10,000 query parameters', `GET {P}?${manyParams} HTTP/1.1\r\n${H}\r\n`, 414),
    refused('oversized header', `GET {P} HTTP/1.1\r\n${H}${bigHeader}\r\n`, on === 'proxy' ? 400 : 431),
    refused('CONNECT', `CONNECT robust.test:443 HTTP/1.1\r\n${H}\r\n`, 405),
    { name: 'HTTP/2.0 request line over HTTP/1', on, request: `GET {P} HTTP/2.0\r\n${H}\r\n`, expect: { status: 505, closed: true, has: 'HTTP Version Not Supported' }, logged: on === 'proxy' ? 1 : 0 },
    // llhttp itself refuses 3.0 (nginx: 505)
    refused('HTTP/3.0 request line over HTTP/1', `GET {P} HTTP/3.0\r\n${H}\r\n`),
    { name: 'HTTP/2.0 request line with a body', on, request: `POST {P} HTTP/2.0\r\n${H}Content-Length: 3\r\n\r\nabc`, expect: { status: 505, closed: true }, logged: on === 'proxy' ? 1 : 0 },
    {
      name: 'slow headers (one line per 300 ms, never finished)', on, request: `GET {P} HTTP/1.1\r\n${H}X-1: 1\r\nX-2: 2\r\nX-3: 3\r\nX-4: 4\r\nX-5: 5\r\nX-6: 6\r\nX-7: 7\r\nX-8: 8\r\n`,
      pieces: 10, gapMs: 300, expect: { status: 408, closed: true }, logged: 0, deadlineMs: 6000,
    },
    {
      // the proxy forwards to an upstream that never answers; the Admin API reads the body itself
      name: 'stalled body (headers and 3 bytes of 1 MB, then nothing)', on,
      request: `POST ${on === 'proxy' ? '{P}/hold' : '/services'} HTTP/1.1\r\n${H}${ADMIN_TOKEN}Content-Type: application/json\r\nContent-Length: 1048576\r\n\r\nabc`,
      expect: { status: 0, closed: true }, logged: on === 'proxy' ? 1 : 0, deadlineMs: 6000,
    },
  ];
}

/** Requests nginx refuses after parsing (proxy only: they reach the gateway and are logged). */
const proxyOnly: Case[] = [
  { name: 'duplicate Host headers', on: 'proxy', request: `GET {P} HTTP/1.1\r\n${H}Host: other.test\r\n\r\n`, expect: { status: 400, closed: true }, logged: 1 },
  { name: 'HTTP/2.0 request line with Upgrade headers', on: 'proxy', request: `GET {P} HTTP/2.0\r\n${H}Connection: Upgrade\r\nUpgrade: websocket\r\n\r\n`,
    // refused on the request line, before nginx reads the headers: logged as the case without Upgrade
    expect: { status: 505, closed: true }, logged: 1 },
  { name: 'HTTP/1.0 without Host (allowed, as nginx)', on: 'proxy', request: 'GET {P}/ok HTTP/1.0\r\n\r\n', expect: { status: 200, has: '\r\n\r\nok' }, logged: 1 },
  { name: 'TRACE', on: 'proxy', request: `TRACE {P} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, expect: { status: 405, has: 'Method not allowed' }, logged: 1 },
  { name: 'request target longer than one header buffer', on: 'proxy', request: `GET {P}?${'q'.repeat(10_000)} HTTP/1.1\r\n${H}\r\n`, expect: { status: 414, closed: true }, logged: 1 },
  { name: 'absolute-form request target', on: 'proxy', request: `GET http://robust.test{P}/ok HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, expect: { status: 200, has: '\r\n\r\nok' }, logged: 1 },
];

/** Hostile upstream answers (the path's last segment picks the raw upstream's reply). */
const upstream = (key: string, expect: Expectation): Case => ({
  name: `upstream: ${key}`, on: 'proxy', request: `GET {P}/${key} HTTP/1.1\r\n${H}Connection: close\r\n\r\n`, expect, logged: 1,
});

const upstreamCases: Case[] = [
  upstream('304-with-length', { status: 304, lacks: 'must not' }),
  upstream('204-with-length', { status: 204 }),
  upstream('304-with-body', { status: 304, lacks: 'must not' }),
  upstream('204-with-body', { status: 204, lacks: 'must not' }),
  upstream('early-hints', { status: 200, has: '\r\n\r\nok', lacks: '103' }),
  upstream('1xx-flood', { status: 200, has: '\r\n\r\nok' }),
  upstream('bad-status-line', { status: 502 }),
  upstream('not-http', { status: 502 }),
  upstream('cl-and-te', { status: 502 }),
  upstream('double-cl', { status: 502 }),
  upstream('header-injection', { status: 502 }),
  upstream('short-body', { status: 200, closed: true, lacks: 'only this!' }),
  upstream('long-body', { status: 200, has: '\r\n\r\nok', lacks: 'MORE' }),
  upstream('truncated-chunked', { status: 200, closed: true }),
  // the head is parsed, then the body fails in the same read: nothing was flushed yet, the connection is cut
  upstream('bad-chunk-size', { status: 0, closed: true }),
  upstream('reset', { status: 502 }),
  upstream('close-no-answer', { status: 502 }),
];

export const CORPUS: readonly Case[] = [...framing('proxy'), ...proxyOnly, ...upstreamCases, ...framing('admin')];
