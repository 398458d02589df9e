// opentelemetry (Kong 3.10, priority 14): propagates the trace context upstream in the configured header formats,
// exports the request's spans (root "kong", router, plugin phases, balancer tries — what tracing_instrumentations
// recorded) as OTLP/HTTP protobuf, and, with logs_endpoint, the log lines the request emitted, with its trace and
// span ids. Spans and log records go through the log plugins' batch queue (one per plugin entity and signal).
import type { PluginContext, PluginHandler, PluginLogger } from '../../types';
import { BatchQueue, type QueueSettings } from '../../log/batch-queue';
import { KONG_VERSION } from '../common';
import { extractContext, injectContext, propagationParams, type PropagationConf, type TracingContext } from '../../tracing/propagation';
import { markLogsInUse, tracingSettings } from '../../tracing/settings';
import { randomId, SPAN_KIND, type RequestTrace } from '../../tracing/trace';
import { sampleTrace } from '../../tracing/sampler';
import { encodeLogs, encodeSpans, post, type ExportTarget, type QueuedLog, type QueuedSpan, type Resource } from './otlp';
import { compileValue, TemplateScope, type Value } from '../request-transformer/templates';

interface Conf {
  readonly pluginId: string;
  /** The resource of every span and log record, or null when an attribute is a `$(...)` template (per request). */
  readonly resource: Resource | null;
  readonly resourceTemplates: ReadonlyArray<readonly [string, Value]>;
  readonly traces: BatchQueue<QueuedSpan> | null;
  readonly logs: BatchQueue<QueuedLog> | null;
  readonly propagation: PropagationConf;
  readonly samplingRate: number | null;
  readonly traceIdHeader: string | null;
}

const queues = new Map<string, BatchQueue<never>>();
/** performance.timeOrigin is a getter that costs a call each read: read once. */
const ORIGIN = performance.timeOrigin;
const SEVERITY = { debug: [5, 'DEBUG'], info: [9, 'INFO'], warn: [13, 'WARN'], error: [17, 'ERR'] } as const;
/** Per request: the trace id sent upstream when no trace is recorded (propagation only). */
const PROPAGATED = 'opentelemetry.trace_id';

/** Kong's queue parameters, with the deprecated batch_span_count / batch_flush_delay still honoured. */
function queueSettings(config: Record<string, unknown>): QueueSettings {
  const q = { ...(config.queue as QueueSettings) } as { -readonly [K in keyof QueueSettings]: QueueSettings[K] };
  if (typeof config.batch_span_count === 'number' && config.batch_span_count !== 200) q.max_batch_size = config.batch_span_count;
  if (typeof config.batch_flush_delay === 'number' && config.batch_flush_delay !== 3) q.max_coalescing_delay = config.batch_flush_delay;
  return q;
}

function queueFor<T>(key: string, settings: QueueSettings, send: (batch: T[]) => Promise<void>, log: PluginLogger): BatchQueue<T> {
  let queue = queues.get(key) as BatchQueue<T> | undefined;
  if (queue) queue.update(settings, send);
  else queues.set(key, (queue = new BatchQueue<T>(settings, send, log, key)) as unknown as BatchQueue<never>);
  return queue;
}

export const handler: PluginHandler<Conf> = {
  name: 'opentelemetry',
  priority: 14,
  version: KONG_VERSION,
  prepare(config, env) {
    const settings = queueSettings(config);
    const defaults = { 'service.name': 'kong', 'service.instance.id': tracingSettings().nodeId, 'service.version': KONG_VERSION };
    const target = (endpoint: string): ExportTarget => ({
      endpoint,
      headers: (config.headers as Record<string, string> | null) ?? {},
      connectTimeout: config.connect_timeout as number,
      sendTimeout: config.send_timeout as number,
      readTimeout: config.read_timeout as number,
    });
    const tracesEndpoint = config.traces_endpoint as string | null;
    const logsEndpoint = config.logs_endpoint as string | null;
    if (logsEndpoint) markLogsInUse();
    const conf = {
      pluginId: env.pluginId,
      resource: null as Resource | null,
      resourceTemplates: [] as [string, Value][],
      // each queued entry carries its resource: a batch may mix requests whose templates rendered differently
      traces: tracesEndpoint
        ? queueFor<QueuedSpan>(`opentelemetry.${env.pluginId}:traces`, settings, (b) => post(target(tracesEndpoint), encodeSpans(b), env.log), env.log)
        : null,
      logs: logsEndpoint
        ? queueFor<QueuedLog>(`opentelemetry.${env.pluginId}:logs`, settings, (b) => post(target(logsEndpoint), encodeLogs(b), env.log), env.log)
        : null,
      propagation: propagationParams(config),
      samplingRate: (config.sampling_rate as number | null) ?? null,
      traceIdHeader: (config.http_response_header_for_traceid as string | null) ?? null,
    };
    // Kong renders resource attribute values as templates (`$(headers.x_tenant)`) in the log phase
    const attributes = Object.entries((config.resource_attributes as Record<string, string> | null) ?? {});
    conf.resourceTemplates = attributes.map(([k, v]) => [k, compileValue(String(v), conf)] as [string, Value]);
    if (conf.resourceTemplates.every(([, v]) => typeof v === 'string')) conf.resource = { attributes: { ...defaults, ...Object.fromEntries(attributes) } };
    else conf.resourceTemplates.unshift(...(Object.entries(defaults) as [string, Value][]));
    return conf;
  },
  access(kong, conf) {
    if (conf.traces === null) return;
    const { ctx: extracted, from } = extractContext(kong, conf.propagation);
    const trace = kong.trace ?? null;
    const out: TracingContext = { ...extracted };
    if (trace === null || !trace.settings.enabled) {
      // tracing_instrumentations = off: propagation only, nothing is sampled or exported (as Kong)
      out.traceId = extracted.traceId ?? randomId(16);
      out.spanId = randomId(8);
      out.parentId = extracted.spanId ?? extracted.parentId;
      out.shouldSample = false;
      kong.ctx[PROPAGATED] = out.traceId;
    } else {
      if (extracted.traceId !== undefined) trace.traceId = extracted.traceId;
      trace.parentId = extracted.spanId ?? extracted.parentId ?? null;
      const sampled = extracted.shouldSample === false ? false : sampleTrace(trace.traceId, conf.samplingRate ?? trace.settings.samplingRate);
      trace.sampled = sampled;
      out.traceId = trace.traceId;
      // the upstream request is a child of the balancer span (or of the root when balancer spans are off)
      out.spanId = trace.settings.balancer ? trace.balancerSpanId : trace.rootSpanId;
      out.parentId = trace.settings.balancer ? trace.rootSpanId : (trace.parentId ?? undefined);
      out.shouldSample = sampled;
    }
    const ids = injectContext(kong, conf.propagation, from, out);
    if (ids !== null) (kong.serializeValues ??= new Map()).set('trace_id', ids);
  },
  header_filter(kong, conf) {
    if (conf.traces === null || conf.traceIdHeader === null) return;
    const traceId = (kong.ctx[PROPAGATED] as string | undefined) ?? kong.trace?.traceId;
    if (traceId !== undefined) kong.response.addHeader(conf.traceIdHeader, traceId);
  },
  log(kong, conf) {
    const trace = kong.trace ?? null;
    if (trace === null) return;
    const exportsSpans = conf.traces !== null && trace.settings.enabled && trace.sampled === true;
    if (!exportsSpans && (conf.logs === null || trace.logs === null)) return;
    const resource = conf.resource ?? renderResource(kong, conf);
    if (exportsSpans) {
      for (const span of requestSpans(kong, trace, resource)) conf.traces!.add(span);
    }
    if (conf.logs !== null && trace.logs !== null) {
      const flags = trace.sampled ? 1 : 0;
      const traceId = (kong.ctx[PROPAGATED] as string | undefined) ?? trace.traceId;
      for (const line of trace.logs) {
        const [severityNumber, severityText] = SEVERITY[line.level];
        conf.logs.add({
          time: ORIGIN + line.time, severityNumber, severityText, body: line.message, traceId,
          spanId: trace.settings.enabled ? line.spanId : null, flags, attributes: { 'request.id': kong.requestId }, resource,
        });
      }
    }
  },
};

/** The resource with this request's rendering of the templated attributes (a failing one is left out, warned). */
function renderResource(kong: PluginContext, conf: Conf): Resource {
  const scope = new TemplateScope(kong, conf.pluginId);
  const attributes: Record<string, string> = {};
  for (const [name, value] of conf.resourceTemplates) {
    try {
      attributes[name] = scope.render(value);
    } catch (err) {
      kong.log.warn(`[opentelemetry] resource attributes template failed to compile: ${(err as Error).message.replace(/^\[request-transformer\] /, '')}`);
    }
  }
  return { attributes };
}

/** Host header without its port (IPv6 literals keep their brackets' content). */
function hostName(host: string): string {
  const colon = host.lastIndexOf(':');
  return colon === -1 || host.endsWith(']') ? host : host.slice(0, colon);
}

/** The request's spans as Kong's instrumentation records them, children of the root span "kong". */
function requestSpans(kong: PluginContext, trace: RequestTrace, resource: Resource): QueuedSpan[] {
  const origin = ORIGIN;
  const end = origin + (trace.end || performance.now());
  const req = kong.request;
  const traceId = trace.traceId;
  const route = kong.route?.row as { paths?: string[] | null } | undefined;
  const query = req.rawQuery === '' ? '' : `?${req.rawQuery}`;
  const spans: QueuedSpan[] = [{
    traceId, spanId: trace.rootSpanId, parentId: trace.parentId, name: 'kong', kind: SPAN_KIND.server, flags: 1, status: 0, resource,
    start: origin + trace.start, end,
    attributes: {
      'http.method': req.method,
      'http.url': `${req.scheme}://${req.host}${req.rawPath}${query}`,
      'http.host': hostName(req.host),
      'http.scheme': req.scheme,
      'http.flavor': req.httpVersion,
      'http.client_ip': kong.client.ip,
      'net.peer.ip': kong.client.ip,
      'kong.request.id': kong.requestId,
      'http.status_code': kong.response.getStatus(),
      'http.route': route?.paths?.[0] ?? '',
    },
  }];
  for (const s of trace.spans) {
    spans.push({ traceId, spanId: s.spanId, parentId: trace.rootSpanId, name: s.name, kind: s.kind, flags: 1, status: s.status, resource, start: origin + s.start, end: origin + (s.end || trace.end), attributes: s.attributes ?? {} });
  }
  if (trace.settings.balancer) {
    const tries = trace.tries;
    for (let i = 0; i < tries.length; i++) {
      const t = tries[i];
      const last = i === tries.length - 1 && t.state === null;
      const attributes: Record<string, string | number> = { try_count: i + 1, 'net.peer.ip': t.ip, 'net.peer.port': t.port };
      if (t.hostname !== null) attributes['net.peer.name'] = t.hostname;
      if (t.state !== null && t.code !== null) attributes['http.status_code'] = t.code;
      spans.push({
        traceId, spanId: last ? trace.balancerSpanId : randomId(8), parentId: trace.rootSpanId, name: 'kong.balancer', kind: SPAN_KIND.client,
        flags: 1, status: t.state !== null ? 2 : 0, resource, start: origin + t.start, end: last ? end : origin + (t.end || trace.end), attributes,
      });
    }
  }
  return spans;
}
