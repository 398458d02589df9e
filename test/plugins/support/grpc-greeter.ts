// A real gRPC server over HTTP/2 (node:http2) for test/plugins/fixtures/grpc/greeter.proto: it decodes each
// framed request with protobufjs, answers with a framed reply and grpc-status trailers, and records what it saw.
// Names steer the error paths: "ghost" -> trailers-only NOT_FOUND, "late" -> a reply then FAILED_PRECONDITION
// in the trailers; an unknown method -> trailers-only UNIMPLEMENTED.
import { createServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as protobuf from 'protobufjs';

export const GREETER_PROTO = join(__dirname, '..', 'fixtures', 'grpc', 'greeter.proto');

export interface SeenCall {
  readonly headers: IncomingHttpHeaders;
  /** The decoded request message (longs and enums as strings). */
  readonly message: Record<string, unknown>;
}

export interface Greeter {
  readonly port: number;
  readonly calls: SeenCall[];
  readonly root: protobuf.Root;
  close(): Promise<void>;
}

export const grpcFrame = (flag: number, payload: Buffer): Buffer => {
  const head = Buffer.alloc(5);
  head[0] = flag;
  head.writeUInt32BE(payload.length, 1);
  return Buffer.concat([head, payload]);
};

/** Splits a body into its frames (flag and payload each). */
export function grpcFrames(body: Buffer): Array<{ flag: number; payload: Buffer }> {
  const out: Array<{ flag: number; payload: Buffer }> = [];
  let at = 0;
  while (at + 5 <= body.length) {
    const end = at + 5 + body.readUInt32BE(at + 1);
    out.push({ flag: body[at], payload: body.subarray(at + 5, end) });
    at = end;
  }
  if (at !== body.length) throw new Error(`trailing ${body.length - at} bytes are not a frame`);
  return out;
}

export async function startGreeter(): Promise<Greeter> {
  const root = loadWithoutGoogleApi();
  const type = (name: string) => root.lookupType(`greeter.v1.${name}`);
  const calls: SeenCall[] = [];
  const server: Http2Server = createServer();
  server.on('stream', (stream, headers) => {
    stream.on('error', () => undefined); // a call the gateway cancels ends here, not in the test process
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('end', () => {
      const method = String(headers[':path']).replace('/greeter.v1.Greeter/', '');
      const input = method === 'Lookup' ? 'LookupRequest' : method === 'Rename' ? 'RenameRequest' : 'HelloRequest';
      const body = Buffer.concat(chunks);
      let message: Record<string, unknown> = {};
      try {
        const payload = grpcFrames(body)[0]?.payload ?? Buffer.alloc(0);
        message = type(input).toObject(type(input).decode(payload), { longs: String, enums: String });
      } catch {
        message = { undecodable: body.toString('hex') };
      }
      calls.push({ headers, message });
      const trailersOnly = (status: number, text: string) =>
        stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': String(status), 'grpc-message': text }, { endStream: true });
      if (!['SayHello', 'Create', 'Lookup', 'Rename'].includes(method)) return trailersOnly(12, 'unknown method');
      if (message.name === 'ghost') return trailersOnly(5, 'no such greeter');
      const m = message as { name?: string; shout?: boolean; times?: string; mood?: string; tags?: string[]; at?: unknown; limb?: unknown; id?: string; verbose?: boolean };
      const text = method === 'Lookup' ? `item ${m.id ?? '0'}${m.verbose ? ' (verbose)' : ''}` : `hello ${m.name ?? ''}`;
      const reply = type('HelloReply').fromObject({
        message: m.shout ? text.toUpperCase() : text,
        big: m.times ?? m.id ?? '0',
        mood: m.mood ?? 'CALM',
        tags: m.tags ?? [],
        shouted: m.shout === true,
        ...(m.at ? { at: m.at } : {}),
        ...(m.limb ? { limb: m.limb } : {}),
      });
      stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
      stream.on('wantTrailers', () =>
        stream.sendTrailers(m.name === 'late' ? { 'grpc-status': '9', 'grpc-message': 'too late' } : { 'grpc-status': '0' }),
      );
      stream.end(grpcFrame(0, Buffer.from(type('HelloReply').encode(reply).finish())));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    calls,
    root,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

/** protobufjs has no copy of google/api/annotations.proto: the options parse without it. */
function loadWithoutGoogleApi(): protobuf.Root {
  const root = new protobuf.Root();
  const source = readFileSync(GREETER_PROTO, 'utf8').replace('import "google/api/annotations.proto";', '');
  protobuf.parse(source, root, { keepCase: true });
  root.addJSON((protobuf as unknown as { common: { get(n: string): protobuf.INamespace } }).common.get('google/protobuf/timestamp.proto').nested!);
  root.resolveAll();
  return root;
}
