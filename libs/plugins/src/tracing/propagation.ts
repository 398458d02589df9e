// Tracing header propagation shared by opentelemetry and zipkin (Kong's kong.observability.tracing.propagation):
// extract a context from the first configured format present on the request, clear configured headers, inject the
// outgoing context in every configured format. Ids are lower-case hex; trace ids are widened to 16 bytes as Kong
// does, remembering the incoming width so b3/ot/jaeger echo 8-byte ids as 8 bytes.
import type { PluginContext } from '../types';

export const FORMATS = ['w3c', 'b3', 'b3-single', 'jaeger', 'ot', 'datadog', 'aws', 'gcp', 'instana'] as const;
export type Format = (typeof FORMATS)[number];
export type Extractor = Exclude<Format, 'b3-single'>;

export interface TracingContext {
  traceId?: string;
  spanId?: string;
  parentId?: string;
  shouldSample?: boolean;
  /** b3/jaeger: the incoming span id is this hop's own span (shared span), not its parent. */
  reuseSpanId?: boolean;
  /** Width in bytes of the incoming trace id (8 or 16). */
  traceIdSize?: number;
  /** b3 debug flag ("1") */
  flags?: string;
  w3cFlags?: number;
  singleHeader?: boolean;
  baggage?: Readonly<Record<string, string>>;
}

export interface PropagationConf {
  readonly extract: readonly Extractor[] | null;
  readonly inject: readonly (Format | 'preserve')[] | null;
  readonly clear: readonly string[] | null;
  readonly defaultFormat: Format;
}

const LEGACY_EXTRACT: readonly Extractor[] = ['b3', 'w3c', 'jaeger', 'ot', 'datadog', 'aws', 'gcp', 'instana'];

/** Kong's get_plugin_params: the propagation record, or the legacy header_type / default_header_type mapped onto it. */
export function propagationParams(config: Record<string, unknown>): PropagationConf {
  const p = (config.propagation ?? {}) as Record<string, unknown>;
  const set = (v: unknown) => v !== null && v !== undefined;
  let defaultFormat = (p.default_format as Format) ?? 'w3c';
  if (set(p.extract) || set(p.inject) || set(p.clear)) {
    return { extract: (p.extract as Extractor[]) ?? null, inject: (p.inject as Format[]) ?? null, clear: (p.clear as string[]) ?? null, defaultFormat };
  }
  if (set(config.default_header_type)) defaultFormat = config.default_header_type as Format;
  const headerType = config.header_type as string | null | undefined;
  if (headerType === 'preserve') return { extract: LEGACY_EXTRACT, inject: ['preserve'], clear: null, defaultFormat };
  if (headerType === 'ignore') return { extract: null, inject: [defaultFormat], clear: null, defaultFormat };
  if (set(headerType)) return { extract: LEGACY_EXTRACT, inject: ['preserve', headerType as Format], clear: null, defaultFormat };
  return { extract: null, inject: null, clear: null, defaultFormat };
}

type Headers = PluginContext['request'];
const HEX = /^[0-9a-f]+$/i;
const isZero = (hex: string) => /^0+$/.test(hex);

/** Left-pads (or keeps the low bytes of) a hex id to `bytes` bytes. */
export function toIdSize(hex: string, bytes: number): string {
  const len = bytes * 2;
  if (hex.length > len) return hex.slice(-len);
  return hex.length < len ? '0'.repeat(len - hex.length) + hex : hex;
}

const decToHex = (dec: string) => BigInt(dec).toString(16);
const hexToDec = (hex: string) => BigInt('0x' + hex).toString(10);

function baggage(req: Headers, prefix: string): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name of Object.keys(req.headers)) {
    if (!name.startsWith(prefix)) continue;
    const v = req.getHeader(name);
    if (v === undefined) continue;
    try {
      (out ??= {})[name.slice(prefix.length)] = decodeURIComponent(v);
    } catch {
      (out ??= {})[name.slice(prefix.length)] = v;
    }
  }
  return out;
}

type ExtractFn = (req: Headers, warn: (m: string) => void) => TracingContext | undefined;

const extractors: Readonly<Record<Extractor, { readonly headers: readonly string[]; readonly get: ExtractFn }>> = {
  w3c: {
    headers: ['traceparent'],
    get(req, warn) {
      const tp = req.getHeader('traceparent');
      if (!tp) return undefined;
      const m = /^([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]+)$/i.exec(tp);
      if (!m) return void warn('invalid W3C traceparent header; ignoring.');
      const [, version, traceId, parentId, flags] = m;
      if (version !== '00') return void warn('invalid W3C Trace Context version; ignoring.');
      if (traceId.length !== 32 || isZero(traceId)) return void warn('invalid W3C trace context trace ID; ignoring.');
      if (parentId.length !== 16 || isZero(parentId)) return void warn('invalid W3C trace context parent ID; ignoring.');
      if (flags.length !== 2) return void warn('invalid W3C trace context flags; ignoring.');
      const n = parseInt(flags, 16);
      return { traceId: traceId.toLowerCase(), spanId: parentId.toLowerCase(), shouldSample: n % 2 === 1, w3cFlags: n };
    },
  },
  b3: {
    headers: ['b3', 'tracestate', 'x-b3-traceid', 'x-b3-spanid', 'x-b3-parentspanid', 'x-b3-sampled', 'x-b3-flags'],
    get(req, warn) {
      let traceId: string | undefined;
      let spanId: string | undefined;
      let parentId: string | undefined;
      let shouldSample: boolean | undefined;
      let flags: string | undefined;
      let singleHeader: boolean | undefined;
      let single = req.getHeader('b3');
      if (single === undefined) single = /^b3=(.+)$/.exec(req.getHeader('tracestate') ?? '')?.[1];
      if (single !== undefined) {
        singleHeader = true;
        if (single === '1' || single === 'd') {
          shouldSample = true;
          if (single === 'd') flags = '1';
        } else if (single === '0') shouldSample = false;
        else {
          const m = /^([0-9a-f]+)-([0-9a-f]{16})-?([01d]?)-?([0-9a-f]*)$/i.exec(single);
          if (m && (m[1].length === 16 || m[1].length === 32) && (m[4] === '' || m[4].length === 16)) {
            [traceId, spanId] = [m[1], m[2]];
            if (m[3] === '1' || m[3] === 'd') {
              shouldSample = true;
              if (m[3] === 'd') flags = '1';
            } else if (m[3] === '0') shouldSample = false;
            parentId = m[4] || undefined;
          } else warn('b3 single header invalid; ignoring.');
        }
      }
      const sampled = req.getHeader('x-b3-sampled');
      let multiSample: boolean | undefined;
      if (sampled === '1' || sampled === 'true') multiSample = true;
      else if (sampled === '0' || sampled === 'false') multiSample = false;
      else if (sampled !== undefined) warn('x-b3-sampled header invalid; ignoring.');
      const debug = req.getHeader('x-b3-flags');
      if (debug === '1') multiSample = true;
      else if (debug !== undefined) warn('x-b3-flags header invalid; ignoring.');
      if (shouldSample === undefined) shouldSample = multiSample;
      flags ??= debug;
      const t = req.getHeader('x-b3-traceid');
      const s = req.getHeader('x-b3-spanid');
      const p = req.getHeader('x-b3-parentspanid');
      let invalid = false;
      if (t !== undefined && ((t.length !== 16 && t.length !== 32) || !HEX.test(t))) { warn('x-b3-traceid header invalid; ignoring.'); invalid = true; }
      if (s !== undefined && (s.length !== 16 || !HEX.test(s))) { warn('x-b3-spanid header invalid; ignoring.'); invalid = true; }
      if (p !== undefined && (p.length !== 16 || !HEX.test(p))) { warn('x-b3-parentspanid header invalid; ignoring.'); invalid = true; }
      if (!invalid) {
        traceId ??= t;
        spanId ??= s;
        parentId ??= p;
      }
      if (traceId === undefined) spanId = parentId = undefined;
      return { traceId: traceId?.toLowerCase(), spanId: spanId?.toLowerCase(), parentId: parentId?.toLowerCase(), reuseSpanId: true, shouldSample, flags, singleHeader };
    },
  },
  jaeger: {
    headers: ['uber-trace-id'],
    get(req, warn) {
      const h = req.getHeader('uber-trace-id');
      if (!h) return undefined;
      const m = /^([0-9a-f]+):([0-9a-f]+):([0-9a-f]+):([0-9a-f]+)$/i.exec(h);
      if (!m) return void warn('invalid jaeger uber-trace-id header; ignoring.');
      const [, traceId, spanId, parentId, flags] = m;
      if (traceId.length > 32 || isZero(traceId)) return void warn('invalid jaeger trace ID; ignoring.');
      if (parentId.length !== 16 && !isZero(parentId)) warn('invalid jaeger parent ID; ignoring.');
      if (spanId.length > 16 || isZero(spanId)) return void warn('invalid jaeger span ID; ignoring.');
      if (flags.length !== 1 && flags.length !== 2) return void warn('invalid jaeger flags; ignoring.');
      const even = (x: string) => (x.length % 2 ? '0' + x : x).toLowerCase();
      return {
        traceId: even(traceId), spanId: even(spanId), parentId: isZero(parentId) ? undefined : even(parentId),
        reuseSpanId: true, shouldSample: parseInt(flags, 16) % 2 === 1, baggage: baggage(req, 'uberctx-'),
      };
    },
  },
  ot: {
    headers: ['ot-tracer-sampled', 'ot-tracer-traceid', 'ot-tracer-spanid'],
    get(req, warn) {
      const sampled = req.getHeader('ot-tracer-sampled');
      let shouldSample: boolean | undefined;
      if (sampled === '1' || sampled === 'true') shouldSample = true;
      else if (sampled === '0' || sampled === 'false') shouldSample = false;
      else if (sampled !== undefined) warn('ot-tracer-sampled header invalid; ignoring.');
      let traceId = req.getHeader('ot-tracer-traceid');
      let spanId = req.getHeader('ot-tracer-spanid');
      let invalid = false;
      if (traceId !== undefined && ((traceId.length !== 16 && traceId.length !== 32) || !HEX.test(traceId))) { warn('ot-tracer-traceid header invalid; ignoring.'); invalid = true; }
      if (spanId !== undefined && (spanId.length !== 16 || !HEX.test(spanId))) { warn('ot-tracer-spanid header invalid; ignoring.'); invalid = true; }
      if (traceId === undefined || invalid) traceId = spanId = undefined;
      return { traceId: traceId?.toLowerCase(), spanId: spanId?.toLowerCase(), shouldSample, baggage: baggage(req, 'ot-baggage-') };
    },
  },
  datadog: {
    headers: ['x-datadog-trace-id', 'x-datadog-parent-id', 'x-datadog-sampling-priority'],
    get(req, warn) {
      const p = req.getHeader('x-datadog-sampling-priority');
      let shouldSample: boolean | undefined;
      if (p === '1' || p === '2') shouldSample = true;
      else if (p === '0' || p === '-1') shouldSample = false;
      else if (p !== undefined) return void warn('x-datadog-sampling-priority header invalid; ignoring.');
      let traceId = /^\s*(\d+)\s*$/.exec(req.getHeader('x-datadog-trace-id') ?? '')?.[1];
      if (req.getHeader('x-datadog-trace-id') !== undefined && !traceId) warn('x-datadog-trace-id header invalid; ignoring.');
      let parentId = /^\s*(\d+)\s*$/.exec(req.getHeader('x-datadog-parent-id') ?? '')?.[1];
      if (req.getHeader('x-datadog-parent-id') !== undefined && !parentId) warn('x-datadog-parent-id header invalid; ignoring.');
      if (!traceId) parentId = undefined;
      const hex = (d: string | undefined) => (d === undefined ? undefined : toIdSize(decToHex(d), Math.max(8, Math.ceil(decToHex(d).length / 2))));
      traceId = hex(traceId);
      return { traceId, spanId: hex(parentId), shouldSample, traceIdSize: traceId ? 8 : undefined };
    },
  },
  aws: {
    headers: ['x-amzn-trace-id'],
    get(req, warn) {
      const h = req.getHeader('x-amzn-trace-id');
      if (h === undefined) return undefined;
      let traceId: string | undefined;
      let spanId: string | undefined;
      let shouldSample: boolean | undefined;
      for (const pair of h.split(';')) {
        const eq = pair.indexOf('=');
        const key = (eq === -1 ? pair : pair.slice(0, eq)).trim();
        const value = eq === -1 ? '' : pair.slice(eq + 1).trim();
        if (key === 'Root') {
          const m = /^([0-9a-f]+)-([0-9a-f]+)-([0-9a-f]+)$/i.exec(value);
          if (value.length !== 35 || !m || m[1] !== '1' || m[2].length !== 8 || m[3].length !== 24) return void warn('invalid aws header trace id; ignoring.');
          traceId = (m[2] + m[3]).toLowerCase();
        } else if (key === 'Parent') {
          if (value.length !== 16) return void warn('invalid aws header parent id; ignoring.');
          spanId = value.toLowerCase();
        } else if (key === 'Sampled') {
          if (value !== '0' && value !== '1') return void warn('invalid aws header sampled flag; ignoring.');
          shouldSample = value === '1';
        }
      }
      return { traceId, spanId, shouldSample };
    },
  },
  gcp: {
    headers: ['x-cloud-trace-context'],
    get(req, warn) {
      const h = req.getHeader('x-cloud-trace-context');
      if (h === undefined) return undefined;
      const m = /^([0-9a-f]{32})\/([0-9]{1,20})(;o=([0-9]))?$/.exec(h);
      if (!m) return void warn('invalid GCP header; ignoring.');
      return { traceId: m[1], spanId: toIdSize(decToHex(m[2]), 8), shouldSample: m[4] === '1' };
    },
  },
  instana: {
    headers: ['x-instana-t', 'x-instana-s', 'x-instana-l'],
    get(req, warn) {
      const t = req.getHeader('x-instana-t');
      const s = req.getHeader('x-instana-s');
      const level = req.getHeader('x-instana-l');
      const shouldSample = level === undefined ? undefined : !level.startsWith('0');
      if (t === undefined || s === undefined) return { shouldSample };
      if (!HEX.test(t) || t.length > 32 || !HEX.test(s) || s.length > 16) return void warn('x-instana-t or x-instana-s header invalid; ignoring.');
      return { traceId: t.toLowerCase(), spanId: s.toLowerCase(), shouldSample };
    },
  },
};

/** The context of the first extractor (in configured order) whose headers are present and parse. */
export function extractContext(kong: PluginContext, conf: PropagationConf): { ctx: TracingContext; from: Extractor | null } {
  if (conf.extract === null) return { ctx: {}, from: null };
  const warn = (m: string) => kong.log.warn(m);
  for (const name of conf.extract) {
    const ex = extractors[name];
    if (!ex.headers.some((h) => kong.request.getHeader(h) !== undefined)) continue;
    const ctx = ex.get(kong.request, warn);
    // Kong stops at the first extractor returning a non-empty table, and its b3 extractor always does (a lone
    // `tracestate` header matches it): a context here needs at least an id or a sampling decision
    if (ctx === undefined || (ctx.traceId === undefined && ctx.spanId === undefined && ctx.shouldSample === undefined)) continue;
    if (ctx.traceId !== undefined) {
      ctx.traceIdSize ??= ctx.traceId.length / 2 <= 8 ? 8 : 16;
      ctx.traceId = toIdSize(ctx.traceId, 16);
    }
    if (ctx.spanId !== undefined) ctx.spanId = toIdSize(ctx.spanId, 8);
    if (ctx.parentId !== undefined) ctx.parentId = toIdSize(ctx.parentId, 8);
    return { ctx, from: name };
  }
  return { ctx: {}, from: null };
}

interface Injector {
  readonly requires: boolean; // trace and span id required
  readonly traceSizes: readonly number[];
  headers(c: TracingContext): Record<string, string>;
  formatted(traceId: string | undefined): string | undefined;
}

const sampledFlag = (c: TracingContext) => (c.shouldSample ? '01' : '00');

const injectors: Readonly<Record<Format, Injector>> = {
  w3c: {
    requires: true, traceSizes: [16],
    headers: (c) => ({ traceparent: `00-${c.traceId}-${c.spanId}-${sampledFlag(c)}` }),
    formatted: (t) => t,
  },
  b3: {
    requires: false, traceSizes: [16, 8],
    headers(c) {
      const h: Record<string, string> = {};
      if (c.traceId && c.spanId) {
        h['x-b3-traceid'] = c.traceId;
        h['x-b3-spanid'] = c.spanId;
        if (c.parentId) h['x-b3-parentspanid'] = c.parentId;
      }
      if (c.flags) h['x-b3-flags'] = c.flags;
      else h['x-b3-sampled'] = c.shouldSample ? '1' : '0';
      return h;
    },
    formatted: (t) => t ?? '',
  },
  'b3-single': {
    requires: false, traceSizes: [16, 8],
    headers(c) {
      const sampled = c.flags === '1' ? 'd' : c.shouldSample ? '1' : c.shouldSample === false ? '0' : undefined;
      if (!c.traceId || !c.spanId) return { b3: sampled ?? '0' };
      return { b3: `${c.traceId}-${c.spanId}${sampled ? '-' + sampled : ''}${c.parentId ? '-' + c.parentId : ''}` };
    },
    formatted: (t) => t ?? '',
  },
  jaeger: {
    requires: true, traceSizes: [16, 8],
    headers(c) {
      const h: Record<string, string> = { 'uber-trace-id': `${c.traceId}:${c.spanId}:${c.parentId ?? '0'}:${sampledFlag(c)}` };
      for (const [k, v] of Object.entries(c.baggage ?? {})) h[`uberctx-${k}`] = encodeURIComponent(v);
      return h;
    },
    formatted: (t) => t,
  },
  ot: {
    requires: true, traceSizes: [8, 16],
    headers(c) {
      const h: Record<string, string> = { 'ot-tracer-traceid': c.traceId!, 'ot-tracer-spanid': c.spanId! };
      if (c.shouldSample !== undefined) h['ot-tracer-sampled'] = c.shouldSample ? '1' : '0';
      for (const [k, v] of Object.entries(c.baggage ?? {})) h[`ot-baggage-${k}`] = encodeURIComponent(v);
      return h;
    },
    formatted: (t) => t,
  },
  datadog: {
    requires: false, traceSizes: [8],
    headers(c) {
      const h: Record<string, string> = {};
      if (c.traceId) h['x-datadog-trace-id'] = hexToDec(c.traceId);
      if (c.spanId) h['x-datadog-parent-id'] = hexToDec(c.spanId);
      if (c.shouldSample !== undefined) h['x-datadog-sampling-priority'] = c.shouldSample ? '1' : '0';
      return h;
    },
    formatted: (t) => (t ? hexToDec(t) : undefined),
  },
  aws: {
    requires: true, traceSizes: [16],
    headers: (c) => ({ 'x-amzn-trace-id': `Root=1-${c.traceId!.slice(0, 8)}-${c.traceId!.slice(8)};Parent=${c.spanId};Sampled=${c.shouldSample ? '1' : '0'}` }),
    formatted: (t) => t,
  },
  gcp: {
    requires: true, traceSizes: [16],
    headers: (c) => ({ 'x-cloud-trace-context': `${c.traceId}/${hexToDec(c.spanId!)};o=${c.shouldSample ? '1' : '0'}` }),
    formatted: (t) => t,
  },
  instana: {
    requires: true, traceSizes: [16, 8],
    headers: (c) => ({ 'x-instana-t': c.traceId!, 'x-instana-s': c.spanId!, 'x-instana-l': c.shouldSample ? '1' : '0' }),
    formatted: (t) => t,
  },
};

/**
 * Clears the configured headers and injects `out` in every configured format ('preserve': the format it was
 * extracted from, else default_format). Returns the trace id per format (Kong's serialized `trace_id`), or null.
 */
export function injectContext(kong: PluginContext, conf: PropagationConf, from: Extractor | null, out: TracingContext): Record<string, string> | null {
  for (const name of conf.clear ?? []) kong.request.clearHeader(name.toLowerCase());
  if (conf.inject === null) return null;
  let ids: Record<string, string> | null = null;
  for (let name of conf.inject) {
    if (name === 'preserve') {
      name = from ?? conf.defaultFormat;
      if (name === 'b3' && out.singleHeader) name = 'b3-single';
    }
    const inj = injectors[name];
    if (inj.requires && (!out.traceId || !out.spanId)) {
      kong.log.error(`${name} injector context is invalid: field ${out.traceId ? 'span_id' : 'trace_id'} not found in context`);
      continue;
    }
    const size = out.traceIdSize !== undefined && inj.traceSizes.includes(out.traceIdSize) ? out.traceIdSize : inj.traceSizes[0];
    const c: TracingContext = { ...out, traceId: out.traceId && toIdSize(out.traceId, size) };
    for (const [h, v] of Object.entries(inj.headers(c))) kong.request.setHeader(h, v);
    const id = inj.formatted(c.traceId);
    if (id !== undefined) (ids ??= {})[name === 'b3-single' ? 'b3' : name] = id;
  }
  return ids;
}
