// OTLP/HTTP export: spans and log records as the OpenTelemetry JS serializers expect them, encoded to protobuf
// by @opentelemetry/otlp-transformer and POSTed. Loaded by the export path only: requests build plain records.
import http from 'node:http';
import https from 'node:https';
import type { PluginLogger } from '../../types';

type Attrs = Record<string, string | number | boolean>;
type HrTime = [number, number];

/** A span as queued: plain data, made into the SDK's ReadableSpan shape only when a batch is encoded. */
export interface QueuedSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentId: string | null;
  readonly name: string;
  readonly kind: number; // OTLP kind: 1 internal, 2 server, 3 client
  readonly start: number; // epoch ms (fractional)
  readonly end: number;
  readonly attributes: Attrs;
  readonly status: number;
  readonly flags: number;
  readonly resource: Resource;
}

export interface QueuedLog {
  readonly time: number; // epoch ms
  readonly severityNumber: number;
  readonly severityText: string;
  readonly body: string;
  readonly traceId: string | null;
  readonly spanId: string | null;
  readonly flags: number;
  readonly attributes: Attrs;
  readonly resource: Resource;
}

export interface Resource { readonly attributes: Attrs }
const SCOPE = { name: 'kong-internal', version: '0.1.0' };

const hr = (ms: number): HrTime => {
  const sec = Math.floor(ms / 1000);
  return [sec, Math.round((ms - sec * 1000) * 1e6)];
};

// The transformer's kinds are the API's SpanKind (INTERNAL 0, SERVER 1, CLIENT 2), written as OTLP kind + 1.
/** One ResourceSpans per distinct resource object (the serializer groups by identity). */
export function encodeSpans(spans: readonly QueuedSpan[]): Uint8Array {
  const { ProtobufTraceSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const readable = spans.map((s) => ({
    name: s.name,
    kind: s.kind - 1,
    spanContext: () => ({ traceId: s.traceId, spanId: s.spanId, traceFlags: s.flags }),
    parentSpanContext: s.parentId ? { traceId: s.traceId, spanId: s.parentId, traceFlags: s.flags } : undefined,
    startTime: hr(s.start),
    endTime: hr(s.end),
    duration: hr(s.end - s.start),
    status: { code: s.status },
    attributes: s.attributes,
    links: [],
    events: [],
    ended: true,
    resource: s.resource,
    instrumentationScope: SCOPE,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  }));
  return ProtobufTraceSerializer.serializeRequest(readable as never)!;
}

export function encodeLogs(logs: readonly QueuedLog[]): Uint8Array {
  const { ProtobufLogsSerializer } = require('@opentelemetry/otlp-transformer') as typeof import('@opentelemetry/otlp-transformer');
  const records = logs.map((l) => ({
    hrTime: hr(l.time),
    hrTimeObserved: hr(l.time),
    spanContext: l.traceId ? { traceId: l.traceId, spanId: l.spanId ?? '', traceFlags: l.flags } : undefined,
    severityNumber: l.severityNumber,
    severityText: l.severityText,
    body: l.body,
    attributes: l.attributes,
    droppedAttributesCount: 0,
    resource: l.resource,
    instrumentationScope: SCOPE,
  }));
  return ProtobufLogsSerializer.serializeRequest(records as never)!;
}

export interface ExportTarget {
  readonly endpoint: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly connectTimeout: number;
  readonly sendTimeout: number;
  readonly readTimeout: number;
}

/** POSTs one protobuf payload; rejects on a non-2xx answer so the queue retries. */
export function post(target: ExportTarget, body: Uint8Array, log: PluginLogger): Promise<void> {
  const url = new URL(target.endpoint);
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<void>((resolve, reject) => {
    const req = client.request(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-protobuf', ...target.headers, 'content-length': String(body.length) },
      timeout: target.connectTimeout,
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        // as Kong: only 200 is a success
        if (status === 200) resolve();
        else reject(new Error(`response error: ${status}`));
      });
    });
    // a kept-alive socket is already connected ('connect' never comes again): its send/read timeout starts now
    req.on('socket', (sock) => {
      const arm = () => req.setTimeout(Math.max(target.sendTimeout, target.readTimeout));
      if (sock.connecting) sock.once('connect', arm);
      else arm();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      log.debug(`[opentelemetry] ${err.message}`);
      reject(err);
    });
    req.end(body);
  });
}
