// grpc-gateway (Kong 3.10): REST requests become gRPC calls by the google.api.http annotations of the
// configured .proto file. Path variables, then the JSON body (`body: "*"` merges it, `body: "field"` sets that
// field) or, for a binding without a body, the query arguments fill the request message; the reply's messages
// come back as JSON and a grpc-status header becomes the matching HTTP status.
import { normalizePath } from '@tollgate/router';
import type * as protobuf from 'protobufjs';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { frame, unframeAll } from '../../grpc/frames';
import { decodeMessage, encodeMessage } from '../../grpc/message-json';
import { cjsonEncode, luaQuote, prepareProto, protoOrThrow, type PreparedProto } from '../../grpc/prepared-proto';
import { compileBindings, type Binding } from './bindings';

interface Conf {
  readonly proto: PreparedProto;
  /** Bindings by lower-case HTTP method, in the file's order (the first whose template matches wins). */
  readonly bindings: ReadonlyMap<string, readonly Binding[]>;
}

const decoders = new WeakMap<PluginContext, Binding>();

const PREFLIGHT = {
  'Content-Type': 'application/json',
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Methods': 'GET,POST,PATCH,DELETE',
  'Access-Control-Allow-Headers': 'content-type',
};

/** google/rpc/code.proto's HTTP mapping, as Kong's; an unlisted code is 500. */
const HTTP_STATUS_OF_GRPC: readonly number[] = [200, 499, 500, 400, 504, 404, 409, 403, 429, 400, 409, 400, 500, 500, 503, 500, 401];

export const handler: PluginHandler<Conf> = {
  name: 'grpc-gateway',
  priority: 998,
  version: KONG_VERSION,
  prepare(c, env) {
    const proto = prepareProto(c.proto, env.log, 'grpc-gateway');
    return { proto, bindings: proto.file === null ? new Map() : compileBindings(proto.file, env.log) };
  },

  async access(kong, conf) {
    kong.response.setHeader('Access-Control-Allow-Origin', '*');
    const method = kong.request.method;
    if (method === 'OPTIONS') return kong.response.exit(200, 'OK', PREFLIGHT);

    if (protoOrThrow(conf.proto) === null) return refuse(kong, 'transcoding requests require a .proto file defining the service');
    const verb = method.toLowerCase();
    const candidates = conf.bindings.get(verb);
    if (candidates === undefined) return refuse(kong, `failed to transcode .proto file Unknown method ${luaQuote(verb)}`);
    const path = normalizePath(kong.request.rawPath) ?? kong.request.rawPath;
    let binding: Binding | undefined;
    let m: RegExpExecArray | null = null;
    for (const b of candidates) {
      m = b.regex.exec(path);
      if (m !== null) {
        binding = b;
        break;
      }
    }
    if (binding === undefined || m === null) return refuse(kong, `failed to transcode .proto file Unknown path ${luaQuote(path)}`);

    const payload: Record<string, unknown> = {};
    binding.varnames.forEach((name, i) => setDotted(payload, name, m![i + 1], binding!.method.input));
    const body = await kong.request.readBody();
    if (binding.body !== undefined) {
      if (body.length > 0) {
        let decoded: unknown;
        try {
          decoded = JSON.parse(body.toString('utf8'));
        } catch (err) {
          return refuse(kong, `decode json err: ${(err as Error).message}`);
        }
        if (binding.body !== '*') payload[binding.body] = decoded;
        else if (typeof decoded === 'object' && decoded !== null) Object.assign(payload, decoded);
        else return refuse(kong, 'body must be a table');
      }
    } else {
      // a binding without a body takes the fields it does not bind from the query string
      for (const [name, values] of kong.request.getQuery()) setDotted(payload, name, values.length === 1 ? values[0] : [...values], binding.method.input);
    }
    let message: Buffer;
    try {
      message = encodeMessage(binding.method.input, payload);
    } catch (err) {
      kong.log.error(`grpc-gateway: ${(err as Error).message}`);
      return refuse(kong, 'failed to encode payload');
    }
    decoders.set(kong, binding);
    kong.request.setHeader('content-type', 'application/grpc');
    kong.request.setHeader('te', 'trailers');
    kong.request.setBody(frame(0, message));
    kong.request.setPath(binding.method.path);
    kong.request.setQuery(new Map());
    kong.request.setMethod('POST');
    kong.request.callAsGrpc();
  },

  header_filter(kong) {
    if (kong.request.method === 'OPTIONS') return;
    if (decoders.has(kong)) kong.response.setHeader('content-type', 'application/json');
    const header = kong.response.getHeader('grpc-status');
    if (header === undefined || !/^\s*\d+\s*$/.test(header)) return;
    const status = HTTP_STATUS_OF_GRPC[Number(header)];
    if (status === undefined) kong.log.warn(`Unable to map grpc-status ${header} to HTTP status code`);
    kong.response.setStatus(status ?? 500);
  },

  body_filter(kong) {
    const binding = decoders.get(kong);
    if (binding === undefined) return;
    const { messages, rest } = unframeAll(kong.response.getBody() ?? Buffer.alloc(0));
    // nothing decodable: the upstream's bytes go through as they are
    if (messages.length === 0) return kong.response.setBody(rest);
    kong.response.setBody(messages.map((msg) => cjsonEncode(decodeMessage(binding.method.output, msg))).join(''));
  },
};

function refuse(kong: PluginContext, reason: string): void {
  kong.log.error(reason);
  kong.response.exit(400, reason);
}

/**
 * Kong's add_to_table: `a.b.c` walks message fields; a name the message does not have is ignored, and a bool
 * field takes any value but "0" and "false" as true.
 */
function setDotted(payload: Record<string, unknown>, name: string, value: unknown, type: protobuf.Type): void {
  const keys = name.split('.');
  let target = payload;
  let current: protobuf.Type | null = type;
  for (let i = 0; i < keys.length; i++) {
    const field: protobuf.Field | undefined = current?.fields[keys[i]];
    if (field === undefined) return;
    field.resolve();
    if (i === keys.length - 1) {
      target[keys[i]] = field.type === 'bool' && !field.repeated ? value !== '0' && value !== 'false' : value;
      return;
    }
    const next = field.resolvedType as protobuf.Type | null;
    if (next === null || next.fields === undefined) return;
    const existing = target[keys[i]];
    target = (typeof existing === 'object' && existing !== null ? existing : (target[keys[i]] = {})) as Record<string, unknown>;
    current = next;
  }
}
