// gRPC length-prefixed messages (also gRPC-Web's): one flag byte (0x00 data, 0x80 trailers), a 32-bit big-endian
// length, the payload.

/** Frame flag of a gRPC-Web trailers frame. */
export const TRAILERS_FRAME = 0x80;

export function frame(flag: number, payload: Buffer): Buffer {
  const out = Buffer.allocUnsafe(5 + payload.length);
  out[0] = flag;
  out.writeUInt32BE(payload.length, 1);
  payload.copy(out, 5);
  return out;
}

/** The complete frames at the start of `body`, and what is left after them (an incomplete frame, or nothing). */
export function unframeAll(body: Buffer): { messages: Buffer[]; rest: Buffer } {
  const messages: Buffer[] = [];
  let at = 0;
  while (body.length - at >= 5) {
    const end = at + 5 + body.readUInt32BE(at + 1);
    if (end > body.length) break;
    messages.push(body.subarray(at + 5, end));
    at = end;
  }
  return { messages, rest: body.subarray(at) };
}
