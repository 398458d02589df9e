// grpc-web (Kong 3.10): a browser's gRPC-Web call (HTTP/1.1, binary or base64 "text" framing, protobuf or JSON
// messages) goes to the gRPC service as a real gRPC call over HTTP/2; the reply comes back in the client's
// encoding with the upstream's grpc-status and grpc-message in a trailers frame (flag 0x80) at the end of the
// body, as the gRPC-Web protocol carries them. JSON messages need the `proto` file to know the types.
import { normalizePath } from '@tollgate/router';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { frame, TRAILERS_FRAME, unframeAll } from '../../grpc/frames';
import { decodeMessage, encodeMessage } from '../../grpc/message-json';
import { cjsonEncode, luaQuote, prepareProto, protoOrThrow, type PreparedProto } from '../../grpc/prepared-proto';
import type { ProtoMethod } from '../../grpc/proto-file';

interface Conf {
  readonly proto: PreparedProto;
  readonly passStrippedPath: boolean;
  readonly allowOrigin: string;
}

/** How one content type is carried: base64 text or binary, gRPC-framed or not, protobuf or JSON messages. */
interface Encoding {
  readonly base64: boolean;
  readonly framed: boolean;
  readonly json: boolean;
}

const ENCODINGS: ReadonlyMap<string, Encoding> = new Map([
  ['application/grpc-web', { base64: false, framed: true, json: false }],
  ['application/grpc-web-text', { base64: true, framed: true, json: false }],
  ['application/grpc-web+proto', { base64: false, framed: true, json: false }],
  ['application/grpc-web-text+proto', { base64: true, framed: true, json: false }],
  ['application/grpc-web+json', { base64: false, framed: true, json: true }],
  ['application/grpc-web-text+json', { base64: true, framed: true, json: true }],
  ['application/json', { base64: false, framed: false, json: true }],
]);

/**
 * A content type Kong does not list: sent upstream as it came, and (since it is not protobuf) the reply's
 * messages rendered as unframed JSON, as Kong's decoder does with its unset encodings.
 */
const UNLISTED: Encoding = { base64: false, framed: false, json: true };

/** One request's transcoder (Kong's kong.ctx.plugin.dec). */
interface Decoder {
  readonly mimetype: string | undefined;
  readonly encoding: Encoding;
  /** Whether request bodies are converted (a listed JSON type); unlisted types pass through. */
  readonly listed: boolean;
  readonly method: ProtoMethod | null;
}

const decoders = new WeakMap<PluginContext, Decoder>();

/** Kong's preflight answer (its Content-Type is gRPC-Web text, whatever was asked). */
const preflight = (origin: string) => ({
  'Content-Type': 'application/grpc-web-text+proto',
  'Access-Control-Allow-Origin': origin,
  'Access-Control-Allow-Methods': 'POST',
  'Access-Control-Allow-Headers': 'content-type,x-grpc-web,x-user-agent',
});

export const handler: PluginHandler<Conf> = {
  name: 'grpc-web',
  priority: 3,
  version: KONG_VERSION,
  prepare: (c, env) => ({
    proto: prepareProto(c.proto, env.log, 'grpc-web'),
    passStrippedPath: c.pass_stripped_path === true,
    allowOrigin: c.allow_origin_header as string,
  }),

  async access(kong, conf) {
    kong.response.setHeader('Access-Control-Allow-Origin', conf.allowOrigin);
    if (kong.request.method === 'OPTIONS') return kong.response.exit(200, 'OK', preflight(conf.allowOrigin));

    // without pass_stripped_path the gRPC path is the client's own (Kong's grpc_pass sends $uri)
    const path = conf.passStrippedPath ? kong.request.getPath() : (normalizePath(kong.request.rawPath) ?? kong.request.rawPath);
    const mimetype = kong.request.getHeader('content-type');
    const known = mimetype === undefined ? undefined : ENCODINGS.get(mimetype);
    const encoding = known ?? UNLISTED;
    let method: ProtoMethod | null = null;
    if (encoding.json) {
      const proto = protoOrThrow(conf.proto);
      if (proto === null) return refuse(kong, 'transcoding requests require a .proto file defining the service');
      method = proto.byPath.get(path) ?? null;
      if (method === null) return refuse(kong, `Unknown path ${luaQuote(path)}`);
    }
    const dec: Decoder = { mimetype, encoding, listed: known !== undefined, method };
    // throws on JSON that does not fit (Kong's Lua error, a 500): the error body is then not transcoded
    const body = upstreamBody(dec, await kong.request.readBody());
    decoders.set(kong, dec);

    kong.request.setPath(path);
    kong.request.setHeader('content-type', 'application/grpc');
    kong.request.setHeader('te', 'trailers');
    kong.request.setBody(body);
    kong.request.callAsGrpc();
  },

  header_filter(kong) {
    if (kong.request.method === 'OPTIONS') return;
    const dec = decoders.get(kong);
    if (dec !== undefined && dec.mimetype !== undefined) kong.response.setHeader('content-type', dec.mimetype);
  },

  body_filter(kong) {
    if (kong.request.method !== 'POST') return;
    const dec = decoders.get(kong);
    if (dec === undefined) return;
    let out = downstreamBody(dec, kong.response.getBody() ?? Buffer.alloc(0));
    if (dec.encoding.framed) {
      // a trailers-only reply carries grpc-status in its headers: the frame then says the same
      const status = kong.response.getTrailer('grpc-status') ?? kong.response.getHeader('grpc-status') ?? '0';
      const message = kong.response.getTrailer('grpc-message') ?? kong.response.getHeader('grpc-message') ?? '';
      const trailers = frame(TRAILERS_FRAME, Buffer.from(`grpc-status:${status}\r\ngrpc-message:${message}\r\n`));
      out = Buffer.concat([out, dec.encoding.base64 ? Buffer.from(trailers.toString('base64')) : trailers]);
    }
    kong.response.setBody(out);
  },
};

/** Kong answers a request it cannot transcode with 400 and the reason as a plain-text body. */
function refuse(kong: PluginContext, reason: string): void {
  kong.log.error(reason);
  kong.response.exit(400, reason);
}

/** The framed protobuf message for the upstream. A JSON body that does not fit the type throws (Kong's 500). */
function upstreamBody(dec: Decoder, body: Buffer): Buffer {
  if (dec.encoding.base64) body = Buffer.from(body.toString('latin1'), 'base64');
  if (!dec.encoding.json || !dec.listed) return body;
  const text = dec.encoding.framed ? (unframeAll(body).messages[0] ?? Buffer.alloc(0)) : body;
  return frame(0, encodeMessage(dec.method!.input, JSON.parse(text.toString('utf8'))));
}

/** The upstream's data frames in the client's encoding (a trailing incomplete frame is dropped, as Kong). */
function downstreamBody(dec: Decoder, body: Buffer): Buffer {
  let out = body;
  if (dec.encoding.json && dec.method !== null) {
    const parts: Buffer[] = [];
    for (const msg of unframeAll(body).messages) {
      const json = Buffer.from(cjsonEncode(decodeMessage(dec.method.output, msg)));
      parts.push(dec.encoding.framed ? frame(0, json) : json);
    }
    out = Buffer.concat(parts);
  }
  return dec.encoding.base64 ? Buffer.from(out.toString('base64')) : out;
}
