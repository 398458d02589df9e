// JSON <-> protobuf message mapping of Kong's grpc-web and grpc-gateway transcoders (lua-protobuf + cjson):
// - encoding is strict on types: a JSON number for a string field, a null, an array for a message fails;
//   integers may come as JSON numbers or numeric strings, enums by name or number, unknown keys are ignored;
// - decoding lists every field of a proto3 message without explicit presence (scalars at their default, repeated
//   fields as [], maps as {}), omits unset message fields and unset oneof members, enums by name;
// - 64-bit integers are JSON numbers while exact in a double, strings beyond; float and double print with 14
//   significant digits (cjson's precision); bytes are the field's bytes as a string;
// - google.protobuf.Timestamp is a date string both ways (Kong's type hook): decoded as `YYYY-MM-DDTHH:MM:SS` UTC.
import type * as protobuf from 'protobufjs';
import { protobufjs } from '../lazy-deps';

export class MessageEncodeError extends Error {}

const TIMESTAMP = '.google.protobuf.Timestamp';
const INT32 = new Set(['int32', 'sint32', 'sfixed32', 'uint32', 'fixed32']);
const INT64 = new Set(['int64', 'sint64', 'sfixed64', 'uint64', 'fixed64']);
const INTEGRAL = /^[+-]?\d+$/;

const fail = (path: string, what: string): never => {
  throw new MessageEncodeError(`${path}: ${what}`);
};

/** Encodes a decoded JSON value as `type`; throws MessageEncodeError naming the offending field. */
export function encodeMessage(type: protobuf.Type, value: unknown): Buffer {
  const plain = toPlainMessage(type, value, type.name);
  return Buffer.from(type.encode(plain as unknown as protobuf.Message).finish());
}

function toPlainMessage(type: protobuf.Type, value: unknown, path: string): Record<string, unknown> | { seconds: number | string; nanos: number } {
  if (type.fullName === TIMESTAMP) return timestampFrom(value, path);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return fail(path, `expected an object, got ${describe(value)}`);
  const out: Record<string, unknown> = {};
  const fields = type.fields;
  for (const key of Object.keys(value)) {
    const field = fields[key];
    if (field === undefined) continue; // lua-protobuf ignores names the message does not have
    out[key] = toPlainField(field, (value as Record<string, unknown>)[key], `${path}.${key}`);
  }
  return out;
}

function toPlainField(field: protobuf.Field, value: unknown, path: string): unknown {
  field.resolve();
  if (field instanceof protobufjs().MapField) {
    if (!isPlainObject(value)) return fail(path, `expected an object, got ${describe(value)}`);
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value)) out[k] = toPlainValue(field, value[k], `${path}.${k}`);
    return out;
  }
  if (field.repeated) {
    // cjson decodes [] and {} alike (an empty table)
    if (isPlainObject(value) && Object.keys(value).length === 0) return [];
    if (!Array.isArray(value)) return fail(path, `expected an array, got ${describe(value)}`);
    return value.map((v, i) => toPlainValue(field, v, `${path}[${i}]`));
  }
  return toPlainValue(field, value, path);
}

function toPlainValue(field: protobuf.Field, value: unknown, path: string): unknown {
  if (value === null || value === undefined) return fail(path, 'null is not a value');
  const resolved = field.resolvedType;
  if (resolved instanceof protobufjs().Type) return toPlainMessage(resolved, value, path);
  if (resolved instanceof protobufjs().Enum) {
    if (typeof value === 'string') {
      const n = resolved.values[value];
      return n === undefined ? fail(path, `unknown enum name ${JSON.stringify(value)}`) : n;
    }
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    return fail(path, `expected an enum name or number, got ${describe(value)}`);
  }
  const t = field.type;
  if (t === 'string') return typeof value === 'string' ? value : fail(path, `expected a string, got ${describe(value)}`);
  if (t === 'bytes') return typeof value === 'string' ? Buffer.from(value) : fail(path, `expected a string, got ${describe(value)}`);
  if (t === 'bool') return typeof value === 'boolean' ? value : fail(path, `expected a boolean, got ${describe(value)}`);
  if (INT32.has(t) || INT64.has(t)) {
    if (typeof value === 'number' && Number.isInteger(value)) return value;
    if (typeof value === 'string' && INTEGRAL.test(value.trim())) return INT64.has(t) ? value.trim() : Number(value);
    return fail(path, `expected an integer, got ${describe(value)}`);
  }
  // float, double
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && !Number.isNaN(Number(value))) return Number(value);
  return fail(path, `expected a number, got ${describe(value)}`);
}

function timestampFrom(value: unknown, path: string): { seconds: number; nanos: number } {
  if (typeof value !== 'string') return fail(path, `expected a time string, got ${describe(value)}`);
  // a date without a zone is UTC (Kong's date library)
  const text = /(?:[zZ]|[+-]\d\d:?\d\d)$/.test(value) || !value.includes('T') ? value : `${value}Z`;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) return fail(path, `expected a time string, got ${JSON.stringify(value)}`);
  const seconds = Math.floor(ms / 1000);
  return { seconds, nanos: (ms - seconds * 1000) * 1_000_000 };
}

/** Decodes one message as Kong's transcoders render it (see the file comment). */
export function decodeMessage(type: protobuf.Type, bytes: Uint8Array): unknown {
  return toJsonMessage(type, type.decode(bytes));
}

function toJsonMessage(type: protobuf.Type, msg: protobuf.Message): unknown {
  if (type.fullName === TIMESTAMP) return timestampText(msg as unknown as { seconds?: unknown });
  const out: Record<string, unknown> = {};
  const own = msg as unknown as Record<string, unknown>;
  for (const field of type.fieldsArray) {
    field.resolve();
    const name = field.name;
    const present = Object.prototype.hasOwnProperty.call(own, name) && own[name] !== null && own[name] !== undefined;
    if (field instanceof protobufjs().MapField) {
      const m = (present ? own[name] : {}) as Record<string, unknown>;
      const o: Record<string, unknown> = {};
      for (const k of Object.keys(m)) o[k] = toJsonValue(field, m[k]);
      out[name] = o;
    } else if (field.repeated) {
      out[name] = ((present ? own[name] : []) as unknown[]).map((v) => toJsonValue(field, v));
    } else if (present) {
      out[name] = toJsonValue(field, own[name]);
    } else if (!(field.resolvedType instanceof protobufjs().Type) && !field.partOf && !hasPresence(field)) {
      // proto3 implicit presence: the scalar's default (lua-protobuf fills them in for proto3 messages)
      out[name] = toJsonValue(field, defaultOf(field));
    }
  }
  return out;
}

function toJsonValue(field: protobuf.Field, value: unknown): unknown {
  const resolved = field.resolvedType;
  if (resolved instanceof protobufjs().Type) return toJsonMessage(resolved, value as protobuf.Message);
  if (resolved instanceof protobufjs().Enum) return resolved.valuesById[value as number] ?? value;
  const t = field.type;
  if (INT64.has(t)) return int64(value);
  if (t === 'bytes') return Buffer.from(value as Uint8Array).toString();
  if (t === 'float' || t === 'double') return Number.isFinite(value as number) ? Number((value as number).toPrecision(14)) : value;
  return value;
}

function int64(value: unknown): number | string {
  if (typeof value === 'number') return value;
  const long = value as protobuf.Long;
  const text = long.toString();
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : text;
}

function timestampText(msg: { seconds?: unknown }): string {
  const seconds = Number(int64(msg.seconds ?? 0));
  return new Date(seconds * 1000).toISOString().slice(0, 19);
}

/** proto2 fields and proto3 `optional` ones track presence: unset means absent. */
function hasPresence(field: protobuf.Field): boolean {
  const f = field as protobuf.Field & { hasPresence?: boolean };
  if (typeof f.hasPresence === 'boolean') return f.hasPresence;
  return field.optional && field.options?.proto3_optional === true;
}

function defaultOf(field: protobuf.Field): unknown {
  if (field.resolvedType instanceof protobufjs().Enum) return 0;
  switch (field.type) {
    case 'string': return '';
    case 'bool': return false;
    case 'bytes': return new Uint8Array(0);
    default: return 0;
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v;
}
