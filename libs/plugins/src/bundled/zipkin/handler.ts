// zipkin (Kong 3.10, priority 100000): a SERVER span for the request, a CLIENT "(proxy)" span for the trip to the
// upstream and one CLIENT span per balancer try, reported as Zipkin v2 JSON through the log plugins' batch queue.
// The proxy span's context is propagated upstream (B3 by default; Kong's propagation options).
import http from 'node:http';
import https from 'node:https';
import type { PluginContext, PluginHandler, PluginLogger } from '../../types';
import { BatchQueue, type QueueSettings } from '../../log/batch-queue';
import { KONG_VERSION } from '../common';
import { extractContext, injectContext, propagationParams, type PropagationConf, type TracingContext } from '../../tracing/propagation';
import { markZipkinInUse, tracingSettings } from '../../tracing/settings';
import { randomId } from '../../tracing/trace';

interface Conf {
  readonly queue: BatchQueue<ZipkinSpan>;
  readonly propagation: PropagationConf;
  readonly sampleRatio: number;
  readonly traceIdBytes: number;
  readonly methodPath: boolean;
  readonly tagsHeader: string;
  readonly staticTags: readonly { name: string; value: string }[];
  readonly includeCredential: boolean;
  readonly traceIdHeader: string | null;
  readonly annotations: boolean;
  readonly localServiceName: string;
  readonly defaultServiceName: string | null;
}

type Tags = Record<string, string | number | boolean | null | undefined>;

/** One span as the request builds it (times in microseconds since the epoch). */
interface Span {
  readonly kind: 'SERVER' | 'CLIENT';
  readonly name: string;
  readonly traceId: string;
  readonly id: string;
  readonly parentId: string | undefined;
  readonly timestamp: number;
  readonly sampled: boolean;
  readonly tags: Tags;
  annotations: { value: string; timestamp: number }[] | null;
  ip?: string;
  port?: number;
  serviceName?: string;
}

/** The Zipkin v2 JSON span (zipkin2-api.yaml). */
interface ZipkinSpan {
  traceId: string; name: string; parentId?: string; id: string; kind: string; timestamp: number; duration: number;
  localEndpoint: { serviceName: string };
  remoteEndpoint: { serviceName?: string; port?: number; ipv4?: string; ipv6?: string } | null;
  tags?: Record<string, string>;
  annotations?: { value: string; timestamp: number }[];
}

interface State { request: Span; proxy: Span | null; headerFilterDone: boolean }
const STATE = 'zipkin.state';
const queues = new Map<string, BatchQueue<ZipkinSpan>>();

/** performance.timeOrigin is a getter that costs a call each read: read once. */
const ORIGIN = performance.timeOrigin;
const micros = (perfMs: number) => Math.floor((ORIGIN + perfMs) * 1000);

export const handler: PluginHandler<Conf> = {
  name: 'zipkin',
  priority: 100000,
  version: KONG_VERSION,
  prepare(config, env) {
    markZipkinInUse();
    const send = sender(config, env.log);
    const settings = config.queue as QueueSettings;
    let queue = queues.get(env.pluginId);
    if (queue) queue.update(settings, send);
    else queues.set(env.pluginId, (queue = new BatchQueue(settings, send, env.log, `zipkin.${env.pluginId}`)));
    return {
      queue,
      propagation: propagationParams(config),
      sampleRatio: config.sample_ratio as number,
      traceIdBytes: config.traceid_byte_count as number,
      methodPath: config.http_span_name === 'method_path',
      tagsHeader: String(config.tags_header).toLowerCase(),
      staticTags: (config.static_tags as { name: string; value: string }[] | null) ?? [],
      includeCredential: config.include_credential === true,
      traceIdHeader: (config.http_response_header_for_traceid as string | null) ?? null,
      annotations: config.phase_duration_flavor === 'annotations',
      localServiceName: config.local_service_name as string,
      defaultServiceName: (config.default_service_name as string | null) ?? null,
    };
  },
  access(kong, conf) {
    const { ctx: extracted, from } = extractContext(kong, conf.propagation);
    const state = stateOf(kong, conf, extracted);
    const proxy = proxySpan(kong, state, accessStart(kong));
    const out: TracingContext = { ...extracted, traceId: proxy.traceId, spanId: proxy.id, parentId: proxy.parentId, shouldSample: proxy.sampled };
    const ids = injectContext(kong, conf.propagation, from, out);
    if (ids !== null) (kong.serializeValues ??= new Map()).set('trace_id', ids);
  },
  header_filter(kong, conf) {
    const state = stateOf(kong, conf);
    const now = kong.trace?.headerFilterStart || performance.now();
    const proxy = proxySpan(kong, state, now);
    if (conf.annotations) annotate(proxy, 'khs', micros(now));
    if (conf.traceIdHeader !== null) kong.response.addHeader(conf.traceIdHeader, proxy.traceId);
  },
  log(kong, conf) {
    const nowPerf = performance.now();
    const now = micros(nowPerf);
    const state = stateOf(kong, conf);
    const request = state.request;
    const proxy = proxySpan(kong, state, nowPerf);
    const trace = kong.trace ?? null;
    const proxyFinish = trace?.end ? micros(trace.end) : now;
    if (conf.annotations) {
      annotate(request, 'krs', request.timestamp);
      annotate(proxy, 'kas', proxy.timestamp);
      annotate(proxy, 'kaf', trace?.accessEnd ? micros(trace.accessEnd) : proxyFinish);
      if (!state.headerFilterDone) {
        annotate(proxy, 'khf', now);
        annotate(proxy, 'kbs', now);
      }
      annotate(proxy, 'kbf', now);
    } else if (trace !== null) {
      proxy.tags['kong.access.duration_ms'] = Math.round((trace.accessEnd || trace.accessStart) - trace.accessStart);
      proxy.tags['kong.header_filter.duration_ms'] = 0;
      proxy.tags['kong.body_filter.duration_ms'] = Math.round(Math.max(0, (trace.end || nowPerf) - (trace.headerFilterStart || nowPerf)));
    }
    const tries = trace?.tries ?? [];
    for (let i = 0; i < tries.length; i++) {
      const t = tries[i];
      const span = child(request, 'CLIENT', `${request.name} (balancer try ${i + 1})`, micros(t.start));
      span.ip = t.ip;
      span.port = t.port;
      span.tags['kong.balancer.try'] = i + 1;
      if (i < tries.length - 1) {
        span.tags.error = true;
        span.tags['kong.balancer.state'] = t.state ?? 'failed';
        span.tags['http.status_code'] = t.code;
      }
      tagServiceAndRoute(kong, span);
      report(conf, span, t.end ? micros(t.end) : now);
    }
    const last = tries[tries.length - 1];
    if (last !== undefined) {
      proxy.tags['peer.hostname'] = last.hostname;
      proxy.ip = last.ip;
      proxy.port = last.port;
    }
    request.tags['http.status_code'] = kong.response.getStatus();
    if (kong.client.consumer) request.tags['kong.consumer'] = kong.client.consumer.id as string;
    if (conf.includeCredential && kong.client.credential) request.tags['kong.credential'] = kong.client.credential.id as string;
    request.tags['kong.node.id'] = tracingSettings().nodeId;
    tagServiceAndRoute(kong, proxy);
    report(conf, proxy, Math.max(proxyFinish, proxy.timestamp));
    report(conf, request, now);
  },
};

function accessStart(kong: PluginContext): number {
  return kong.trace?.accessStart || performance.now();
}

function stateOf(kong: PluginContext, conf: Conf, extracted?: TracingContext): State {
  const existing = kong.ctx[STATE] as State | undefined;
  if (existing !== undefined) return existing;
  const ctx = extracted ?? extractContext(kong, conf.propagation).ctx;
  const req = kong.request;
  let spanId: string | undefined;
  let parentId: string | undefined;
  if (ctx.reuseSpanId) {
    spanId = ctx.spanId;
    parentId = ctx.parentId;
  } else parentId = ctx.spanId;
  const sampled = ctx.shouldSample ?? Math.random() < conf.sampleRatio;
  const path = req.rawPath;
  const start = kong.trace?.start ?? performance.now();
  const request: Span = {
    kind: 'SERVER', name: conf.methodPath ? `${req.method} ${path}` : req.method, traceId: ctx.traceId ?? randomId(conf.traceIdBytes),
    id: spanId ?? randomId(8), parentId, timestamp: micros(start), sampled, tags: {}, annotations: null,
  };
  const host = (kong as unknown as { host?: { peerPort?: number } }).host;
  request.ip = kong.client.ip;
  request.port = host?.peerPort;
  request.tags.lc = 'kong';
  request.tags['http.method'] = req.method;
  request.tags['http.host'] = req.host.replace(/:\d+$/, '');
  request.tags['http.path'] = path;
  request.tags['http.protocol'] = `HTTP/${req.httpVersion === '2.0' ? '2' : req.httpVersion}`;
  for (const t of conf.staticTags) request.tags[t.name] = t.value;
  const header = req.getHeader(conf.tagsHeader);
  if (header !== undefined) {
    const bad: string[] = [];
    for (const item of header.split(';')) {
      if (item === '') continue;
      const m = /^\s*(\S+)\s*=\s*(.*\S)\s*$/.exec(item);
      if (m) request.tags[m[1]] = m[2];
      else bad.push(item);
    }
    if (bad.length) kong.log.warn(`Could not parse the following Zipkin tags: ${bad.join(', ')}`);
  }
  const state: State = { request, proxy: null, headerFilterDone: false };
  kong.ctx[STATE] = state;
  return state;
}

function child(parent: Span, kind: Span['kind'], name: string, timestamp: number): Span {
  return { kind, name, traceId: parent.traceId, id: randomId(8), parentId: parent.id, timestamp, sampled: parent.sampled, tags: {}, annotations: null };
}

function proxySpan(kong: PluginContext, state: State, perfMs: number): Span {
  return (state.proxy ??= child(state.request, 'CLIENT', `${state.request.name} (proxy)`, micros(perfMs)));
}

function annotate(span: Span, value: string, timestamp: number): void {
  (span.annotations ??= []).push({ value, timestamp });
}

function tagServiceAndRoute(kong: PluginContext, span: Span): void {
  const service = kong.service;
  if (service?.id) {
    span.tags['kong.service'] = service.id;
    if (typeof service.name === 'string') {
      span.serviceName = service.name;
      span.tags['kong.service_name'] = service.name;
    }
  }
  const route = kong.route;
  if (route?.id) span.tags['kong.route'] = route.id;
  if (typeof route?.name === 'string') span.tags['kong.route_name'] = route.name;
}

/** Kong's reporter: sampled spans only, tags as strings (empty ones dropped), the remote endpoint when known. */
function report(conf: Conf, span: Span, finish: number): void {
  if (!span.sampled) return;
  let tags: Record<string, string> | undefined;
  for (const [k, v] of Object.entries(span.tags)) {
    if (v === null || v === undefined || v === '') continue;
    (tags ??= {})[k] = String(v);
  }
  const serviceName = span.serviceName ?? conf.defaultServiceName ?? undefined;
  let remoteEndpoint: ZipkinSpan['remoteEndpoint'] = null;
  if (span.port !== undefined || serviceName !== undefined) {
    remoteEndpoint = { serviceName, port: span.port };
    if (span.ip) remoteEndpoint[span.ip.includes(':') ? 'ipv6' : 'ipv4'] = span.ip;
  }
  const out: ZipkinSpan = {
    traceId: span.traceId, name: span.name, parentId: span.parentId, id: span.id, kind: span.kind, timestamp: span.timestamp,
    duration: Math.max(0, finish - span.timestamp), localEndpoint: { serviceName: conf.localServiceName }, remoteEndpoint, tags,
    annotations: span.annotations ?? undefined,
  };
  conf.queue.add(out);
}

function sender(config: Record<string, unknown>, log: PluginLogger) {
  const endpoint = config.http_endpoint as string | null;
  const url = endpoint ? new URL(endpoint) : null;
  const client = url?.protocol === 'https:' ? https : http;
  return (batch: ZipkinSpan[]) => new Promise<void>((resolve, reject) => {
    if (url === null) return resolve(); // no endpoint: spans are dropped, as Kong
    const body = JSON.stringify(batch);
    const req = client.request(url, {
      method: 'POST', timeout: config.connect_timeout as number,
      headers: { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) },
    }, (res) => {
      res.resume();
      res.on('end', () => {
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve();
        else reject(new Error(`zipkin server responded unexpectedly: ${status} ${res.statusMessage ?? ''}`));
      });
    });
    // a kept-alive socket is already connected ('connect' never comes again): its send/read timeout starts now
    req.on('socket', (sock) => {
      const arm = () => req.setTimeout(Math.max(config.send_timeout as number, config.read_timeout as number));
      if (sock.connecting) sock.once('connect', arm);
      else arm();
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => {
      log.debug(`[zipkin] ${err.message}`);
      reject(new Error(`zipkin request failed: ${err.message}`));
    });
    req.end(body);
  });
}
