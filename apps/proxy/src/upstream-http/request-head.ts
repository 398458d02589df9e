// The upstream request head, serialized into one string that goes out in one write. Names and values a plugin
// set are checked here: a CR or LF in them would let a header end the head early (request smuggling).
import { upstreamError } from './errors';
import { hasBadFieldChar, isToken, isTokenName } from './response-parser';

/** request-target: visible ASCII only (a space would end it, a CR/LF the request line). */
const BAD_TARGET = /[^\x21-\x7e\x80-\xff]/;
const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

export const enum BodyFraming {
  None,
  /** Content-Length, sent as is. */
  Length,
  /** No length known: sent with the chunked coding. */
  Chunked,
}

export interface SerializedHead {
  head: string;
  framing: BodyFraming;
}

/**
 * `streamed`: the body is a stream (its length is what the headers say, or chunked when they say nothing);
 * `bufferedLength`: the length of a body sent from memory, -1 when there is none; `methodChecked`: the method
 * already passed these rules (llhttp's), `checkedFields`: so did the first that many entries of `headers` (names
 * and values: the client's as llhttp parsed them, ours built from such pieces), so they are not tested again; the
 * rest (what plugins set, appended after them) is.
 */
/** A token (a name seen before is remembered: plugins set the same few names on every request). */
const isFieldName = (name: unknown) => isTokenName(typeof name === 'string' ? name : String(name));
/** RFC 9110 §5.5 field-value characters (undici's rule too): anything else is refused, not sent. */
const isFieldValue = (value: unknown) => {
  const text = typeof value === 'string' ? value : String(value);
  return !hasBadFieldChar(text, 0, text.length);
};

export function serializeHead(
  method: string,
  path: string,
  headers: readonly string[],
  streamed: boolean,
  bufferedLength: number,
  keepAlive: boolean,
  methodChecked: boolean,
  checkedFields: number,
  out: SerializedHead,
): void {
  if (!methodChecked && !isToken(method, 0, method.length)) throw upstreamError('UPSTREAM_INVALID_REQUEST', 'invalid request method');
  if (path.length === 0 || BAD_TARGET.test(path)) throw upstreamError('UPSTREAM_INVALID_REQUEST', 'invalid request path');
  let head = `${method} ${path} HTTP/1.1\r\n`;
  let hasLength = false;
  for (let i = 0; i < headers.length; i += 2) {
    const name = headers[i];
    const value = headers[i + 1];
    if (i >= checkedFields && (!isFieldName(name) || !isFieldValue(value))) throw upstreamError('UPSTREAM_INVALID_REQUEST', `invalid request header ${JSON.stringify(name)}`);
    if (name.length === 14 && name.toLowerCase() === 'content-length') {
      hasLength = true;
    } else if (name.length === 10 && name.toLowerCase() === 'connection') {
      continue; // ours below: the upstream connection's persistence is ours to decide
    }
    head += `${name}: ${value}\r\n`;
  }
  let framing = BodyFraming.None;
  if (streamed) {
    if (hasLength) framing = BodyFraming.Length;
    else {
      framing = BodyFraming.Chunked;
      head += 'Transfer-Encoding: chunked\r\n';
    }
  } else if (bufferedLength >= 0) {
    framing = BodyFraming.Length;
    if (!hasLength) head += `Content-Length: ${bufferedLength}\r\n`;
  } else if (!hasLength && BODY_METHODS.has(method)) {
    // RFC 9110 §8.6: a request that would carry content says it carries none
    head += 'Content-Length: 0\r\n';
  }
  head += keepAlive ? 'Connection: keep-alive\r\n\r\n' : 'Connection: close\r\n\r\n';
  out.head = head;
  out.framing = framing;
}
