// Reads the server name (SNI) from a TLS ClientHello without terminating TLS, for tls_passthrough routing and
// for picking the certificate before a handshake. The handshake message may span several TLS records; the input
// is bounded by MAX_CLIENT_HELLO so a client cannot make us buffer without limit.

/** Bytes of TLS records we are willing to buffer before giving up (a ClientHello is rarely above 2 KiB). */
export const MAX_CLIENT_HELLO = 16 * 1024;

const RECORD_HANDSHAKE = 0x16;
const HANDSHAKE_CLIENT_HELLO = 0x01;
const EXT_SERVER_NAME = 0x0000;
const NAME_TYPE_HOST = 0x00;
const HOST_NAME = /^[A-Za-z0-9._-]+$/;

export type ClientHelloResult =
  | { readonly kind: 'incomplete' }
  | { readonly kind: 'invalid'; readonly reason: string }
  /** sni null: a valid ClientHello without a server_name extension. */
  | { readonly kind: 'ok'; readonly sni: string | null };

const INCOMPLETE: ClientHelloResult = { kind: 'incomplete' };
const invalid = (reason: string): ClientHelloResult => ({ kind: 'invalid', reason });

/** `buf`: the first bytes the client sent. Never consumes them: the caller replays them to whoever terminates. */
export function parseClientHello(buf: Buffer): ClientHelloResult {
  if (buf.length === 0) return INCOMPLETE;
  if (buf[0] !== RECORD_HANDSHAKE) return invalid('not a TLS handshake record');
  // Gather the handshake bytes carried by consecutive records until the ClientHello is complete.
  const fragments: Buffer[] = [];
  let gathered = 0;
  let needed = -1;
  let offset = 0;
  while (needed === -1 || gathered < needed) {
    if (offset + 5 > buf.length) return buf.length >= MAX_CLIENT_HELLO ? invalid('ClientHello too large') : INCOMPLETE;
    if (buf[offset] !== RECORD_HANDSHAKE) return invalid('ClientHello interrupted by another record type');
    if (buf[offset + 1] !== 0x03) return invalid('unknown TLS record version');
    const recordLength = buf.readUInt16BE(offset + 3);
    if (recordLength === 0 || recordLength > 16384 + 2048) return invalid('bad TLS record length');
    const end = offset + 5 + recordLength;
    if (end > MAX_CLIENT_HELLO) return invalid('ClientHello too large');
    if (end > buf.length) return INCOMPLETE;
    fragments.push(buf.subarray(offset + 5, end));
    gathered += recordLength;
    offset = end;
    if (needed === -1 && gathered >= 4) {
      const head = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments);
      if (head[0] !== HANDSHAKE_CLIENT_HELLO) return invalid('first handshake message is not a ClientHello');
      needed = 4 + head.readUIntBE(1, 3);
      if (needed > MAX_CLIENT_HELLO) return invalid('ClientHello too large');
    }
  }
  const hello = fragments.length === 1 ? fragments[0] : Buffer.concat(fragments);
  return readServerName(hello.subarray(4, needed));
}

function readServerName(body: Buffer): ClientHelloResult {
  // legacy_version(2) random(32) session_id<0..32> cipher_suites<2..> compression_methods<1..> extensions<0..>
  let p = 2 + 32;
  if (p + 1 > body.length) return invalid('truncated ClientHello');
  p += 1 + body[p];
  if (p + 2 > body.length) return invalid('truncated ClientHello');
  p += 2 + body.readUInt16BE(p);
  if (p + 1 > body.length) return invalid('truncated ClientHello');
  p += 1 + body[p];
  if (p === body.length) return { kind: 'ok', sni: null }; // no extensions at all
  if (p + 2 > body.length) return invalid('truncated ClientHello');
  const extEnd = p + 2 + body.readUInt16BE(p);
  if (extEnd > body.length) return invalid('truncated ClientHello extensions');
  p += 2;
  while (p + 4 <= extEnd) {
    const type = body.readUInt16BE(p);
    const length = body.readUInt16BE(p + 2);
    const dataStart = p + 4;
    if (dataStart + length > extEnd) return invalid('truncated ClientHello extension');
    if (type === EXT_SERVER_NAME) return serverNameExtension(body.subarray(dataStart, dataStart + length));
    p = dataStart + length;
  }
  return { kind: 'ok', sni: null };
}

function serverNameExtension(ext: Buffer): ClientHelloResult {
  if (ext.length < 2) return invalid('bad server_name extension');
  const listEnd = Math.min(ext.length, 2 + ext.readUInt16BE(0));
  let p = 2;
  while (p + 3 <= listEnd) {
    const nameType = ext[p];
    const length = ext.readUInt16BE(p + 1);
    const start = p + 3;
    if (start + length > listEnd) return invalid('bad server_name extension');
    if (nameType === NAME_TYPE_HOST) {
      const name = ext.toString('latin1', start, start + length);
      // A host name is ASCII letters, digits, '-', '.' and '_'; anything else is not a name we could route on.
      if (length === 0 || length > 255 || !HOST_NAME.test(name)) return invalid('bad server name');
      return { kind: 'ok', sni: name.toLowerCase() };
    }
    p = start + length;
  }
  return { kind: 'ok', sni: null };
}
