// An OTLP/HTTP collector for the tracing suites: decodes each POSTed ExportTraceServiceRequest /
// ExportLogsServiceRequest with protobufjs from the OpenTelemetry proto definitions below (an independent decoder
// of the wire format, not the encoder's own code), and keeps what it decoded.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import protobuf from 'protobufjs';

// opentelemetry-proto v1 (common, resource, trace, logs, collector), the fields the suites read.
const PROTO = `
syntax = "proto3";
package otlp;
message AnyValue { oneof value { string string_value = 1; bool bool_value = 2; int64 int_value = 3; double double_value = 4; ArrayValue array_value = 5; KeyValueList kvlist_value = 6; bytes bytes_value = 7; } }
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; uint32 dropped_attributes_count = 4; }
message Resource { repeated KeyValue attributes = 1; uint32 dropped_attributes_count = 2; }
message Status { string message = 2; int32 code = 3; }
message Span {
  bytes trace_id = 1; bytes span_id = 2; string trace_state = 3; bytes parent_span_id = 4; string name = 5; int32 kind = 6;
  fixed64 start_time_unix_nano = 7; fixed64 end_time_unix_nano = 8; repeated KeyValue attributes = 9; Status status = 15; fixed32 flags = 16;
}
message ScopeSpans { InstrumentationScope scope = 1; repeated Span spans = 2; string schema_url = 3; }
message ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; string schema_url = 3; }
message ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
message LogRecord {
  fixed64 time_unix_nano = 1; fixed64 observed_time_unix_nano = 11; int32 severity_number = 2; string severity_text = 3;
  AnyValue body = 5; repeated KeyValue attributes = 6; fixed32 flags = 8; bytes trace_id = 9; bytes span_id = 10;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; string schema_url = 3; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; string schema_url = 3; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
`;

const root = protobuf.parse(PROTO, { keepCase: true }).root;
const TraceRequest = root.lookupType('otlp.ExportTraceServiceRequest');
const LogsRequest = root.lookupType('otlp.ExportLogsServiceRequest');
const CONVERT = { longs: String, bytes: String, enums: Number, defaults: false } as const;

type Attr = string | number | boolean;
const hex = (b64: string | undefined) => (b64 ? Buffer.from(b64, 'base64').toString('hex') : '');

function attrs(list: any[] | undefined): Record<string, Attr> {
  const out: Record<string, Attr> = {};
  for (const kv of list ?? []) {
    const v = kv.value ?? {};
    out[kv.key] = v.string_value ?? v.bool_value ?? (v.int_value !== undefined ? Number(v.int_value) : v.double_value);
  }
  return out;
}

export interface DecodedSpan {
  traceId: string; spanId: string; parentSpanId: string; name: string; kind: number;
  start: bigint; end: bigint; attributes: Record<string, Attr>; status: number;
  /** Attribute value types as sent (int_value, double_value, string_value...). */
  types: Record<string, string>;
  resource: Record<string, Attr>; scope: { name: string; version: string };
}

export interface DecodedLog {
  body: string; severityNumber: number; severityText: string; traceId: string; spanId: string; flags: number;
  attributes: Record<string, Attr>; resource: Record<string, Attr>;
}

export interface OtlpReceiver {
  readonly url: string;
  /** One entry per export request: the spans it carried. */
  readonly traceExports: DecodedSpan[][];
  readonly logExports: DecodedLog[][];
  /** Export requests answered 500 before accepting (retries). */
  failFirst: number;
  posts: number;
  contentTypes: string[];
  spans(): DecodedSpan[];
  logs(): DecodedLog[];
  close(): Promise<void>;
}

export async function startOtlpReceiver(): Promise<OtlpReceiver> {
  const r: OtlpReceiver = {
    url: '', traceExports: [], logExports: [], failFirst: 0, posts: 0, contentTypes: [],
    spans: () => r.traceExports.flat(),
    logs: () => r.logExports.flat(),
    close: async () => undefined,
  };
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (p: Buffer) => parts.push(p));
    req.on('end', () => {
      r.posts++;
      r.contentTypes.push(String(req.headers['content-type']));
      if (r.failFirst > 0) {
        r.failFirst--;
        res.writeHead(500).end();
        return;
      }
      const body = Buffer.concat(parts);
      if (req.url === '/v1/traces') {
        const msg = TraceRequest.toObject(TraceRequest.decode(body), CONVERT) as any;
        const spans: DecodedSpan[] = [];
        for (const rs of msg.resource_spans ?? []) {
          for (const ss of rs.scope_spans ?? []) {
            for (const s of ss.spans ?? []) {
              const types: Record<string, string> = {};
              for (const kv of s.attributes ?? []) types[kv.key] = Object.keys(kv.value ?? {})[0];
              spans.push({
                traceId: hex(s.trace_id), spanId: hex(s.span_id), parentSpanId: hex(s.parent_span_id), name: s.name, kind: s.kind ?? 0,
                start: BigInt(s.start_time_unix_nano ?? 0), end: BigInt(s.end_time_unix_nano ?? 0), attributes: attrs(s.attributes),
                status: s.status?.code ?? 0, types, resource: attrs(rs.resource?.attributes), scope: { name: ss.scope?.name, version: ss.scope?.version },
              });
            }
          }
        }
        r.traceExports.push(spans);
      } else if (req.url === '/v1/logs') {
        const msg = LogsRequest.toObject(LogsRequest.decode(body), CONVERT) as any;
        const logs: DecodedLog[] = [];
        for (const rl of msg.resource_logs ?? []) {
          for (const sl of rl.scope_logs ?? []) {
            for (const l of sl.log_records ?? []) {
              logs.push({
                body: l.body?.string_value, severityNumber: l.severity_number, severityText: l.severity_text, traceId: hex(l.trace_id),
                spanId: hex(l.span_id), flags: l.flags ?? 0, attributes: attrs(l.attributes), resource: attrs(rl.resource?.attributes),
              });
            }
          }
        }
        r.logExports.push(logs);
      }
      res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
    });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  (r as { url: string }).url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  r.close = () => new Promise<void>((ok) => { server.closeAllConnections(); server.close(() => ok()); });
  return r;
}
