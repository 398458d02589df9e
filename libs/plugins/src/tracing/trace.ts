// What one request records for the tracing plugins: the root span's times, the router span, one span per plugin
// phase run (when tracing_instrumentations asks), every balancer try, phase boundaries (zipkin annotations) and
// the log lines emitted while it ran. Times are performance.now() milliseconds; exporters add timeOrigin.
import { randomFillSync } from 'node:crypto';
import { logRank, tracingSettings, type TracingSettings } from './settings';

export const SPAN_KIND = { internal: 1, server: 2, client: 3 } as const;

export interface SpanRecord {
  readonly name: string;
  readonly kind: number;
  readonly spanId: string;
  readonly start: number;
  end: number;
  attributes: Record<string, string | number | boolean> | null;
  /** 2 = error (OTLP status code) */
  status: number;
}

export interface BalancerTry {
  readonly start: number;
  end: number;
  readonly ip: string;
  readonly port: number;
  readonly hostname: string | null;
  /** 'failed' / 'next' (Kong's try.state) and the status that failed it, for tries that did not answer. */
  state: string | null;
  code: number | null;
}

export interface LogLine {
  readonly time: number;
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly message: string;
  readonly spanId: string;
}

// ids: random bytes drawn from a pool refilled 4 KiB at a time (one syscall per 256 spans)
const pool = Buffer.allocUnsafe(4096);
let poolPos = pool.length;
export function randomId(bytes: number): string {
  if (poolPos + bytes > pool.length) {
    randomFillSync(pool);
    poolPos = 0;
  }
  const id = pool.toString('hex', poolPos, poolPos + bytes);
  poolPos += bytes;
  return /^0+$/.test(id) ? randomId(bytes) : id;
}

export class RequestTrace {
  readonly settings: TracingSettings = tracingSettings();
  /** The root span ("kong"); its trace id may be replaced by an extracted one in access. */
  traceId = randomId(16);
  readonly rootSpanId = randomId(8);
  /** The span the upstream request is sent under (Kong's precreated balancer span): its id goes in traceparent. */
  readonly balancerSpanId = randomId(8);
  /** Parent of the root span (the incoming span id, when extracted). */
  parentId: string | null = null;
  end = 0;
  readonly spans: SpanRecord[] = [];
  readonly tries: BalancerTry[] = [];
  logs: LogLine[] | null = null;
  /** Span currently running (log lines are attributed to it). */
  active: SpanRecord | null = null;
  accessStart = 0;
  accessEnd = 0;
  headerFilterStart = 0;
  /** Set by whichever tracing plugin decided: spans are exported only when true. */
  sampled: boolean | null = null;

  constructor(readonly start: number, routerStart: number, routerEnd: number) {
    if (this.settings.enabled && this.settings.router && routerEnd > 0) {
      this.spans.push({ name: 'kong.router', kind: SPAN_KIND.internal, spanId: randomId(8), start: routerStart, end: routerEnd, attributes: null, status: 0 });
    }
  }

  /** A plugin phase span, kept when tracing_instrumentations asks for that phase. */
  startPluginSpan(phase: 'rewrite' | 'access' | 'header_filter', plugin: string): SpanRecord {
    const span: SpanRecord = { name: `kong.${phase}.plugin.${plugin}`, kind: SPAN_KIND.internal, spanId: randomId(8), start: performance.now(), end: 0, attributes: null, status: 0 };
    this.spans.push(span);
    this.active = span;
    return span;
  }

  endSpan(span: SpanRecord): void {
    span.end = performance.now();
    if (this.active === span) this.active = null;
  }

  wantsPluginSpan(phase: 'rewrite' | 'access' | 'header_filter'): boolean {
    const s = this.settings;
    if (!s.enabled) return false;
    return phase === 'access' ? s.pluginAccess : phase === 'rewrite' ? s.pluginRewrite : s.pluginHeaderFilter;
  }

  /** The upstream client starts a try (balancer pick done). */
  startTry(ip: string, port: number, hostname: string | null): void {
    const now = performance.now();
    if (this.accessEnd === 0) this.accessEnd = now;
    this.tries.push({ start: now, end: 0, ip, port, hostname, state: null, code: null });
  }

  /** The current try failed before an answer (connection error, timeout). */
  failTry(state: string, code: number | null): void {
    const t = this.tries[this.tries.length - 1];
    if (t === undefined) return;
    t.end = performance.now();
    t.state = state;
    t.code = code;
  }

  /** The upstream answered: the try's connect is done. */
  answeredTry(): void {
    const t = this.tries[this.tries.length - 1];
    if (t !== undefined && t.end === 0) t.end = performance.now();
  }

  log(level: LogLine['level'], message: string): void {
    if (logRank(level) < this.settings.logRank) return;
    const logs = (this.logs ??= []);
    if (logs.length < 1000) logs.push({ time: performance.now(), level, message, spanId: this.active?.spanId ?? this.rootSpanId });
  }
}
