// The node's tracing settings (Kong's tracing_instrumentations and tracing_sampling_rate), set once per process by
// the data plane before it serves, plus what the tracing plugins switched on when prepared.

/** Kong's instrumentation types; `request` is the root span every enabled setting has. */
export const INSTRUMENTATIONS = ['all', 'off', 'request', 'router', 'balancer', 'plugin_rewrite', 'plugin_access', 'plugin_header_filter', 'http_client', 'dns_query', 'db_query'] as const;

export interface TracingSettings {
  /** false when tracing_instrumentations = off: the opentelemetry plugin then only propagates headers. */
  readonly enabled: boolean;
  readonly router: boolean;
  readonly balancer: boolean;
  readonly pluginRewrite: boolean;
  readonly pluginAccess: boolean;
  readonly pluginHeaderFilter: boolean;
  readonly samplingRate: number;
  readonly nodeId: string;
  /** Rank of the node's log_level: request log lines below it are not exported (as Kong's logs signal). */
  readonly logRank: number;
}

const LOG_RANKS: Readonly<Record<string, number>> = { debug: 0, info: 1, notice: 2, warn: 3, error: 4, crit: 5, alert: 6, emerg: 7 };
export const logRank = (level: string): number => LOG_RANKS[level] ?? 2;

let current: TracingSettings = compileTracingSettings(['off'], 0.01, '');
/** A zipkin plugin was prepared in this process: requests with plugins record phase and balancer times. */
let zipkinInUse = false;
/** An opentelemetry plugin with logs_endpoint was prepared: request log lines are kept for it. */
let logsInUse = false;

export function compileTracingSettings(instrumentations: readonly string[], samplingRate: number, nodeId: string, logLevel = 'notice'): TracingSettings {
  const all = instrumentations.includes('all');
  const has = (t: string) => all || instrumentations.includes(t);
  return {
    enabled: instrumentations.length > 0 && !instrumentations.includes('off'),
    router: has('router'),
    balancer: has('balancer'),
    pluginRewrite: has('plugin_rewrite'),
    pluginAccess: has('plugin_access'),
    pluginHeaderFilter: has('plugin_header_filter'),
    samplingRate,
    nodeId,
    logRank: logRank(logLevel),
  };
}

/** Called by the data plane at start with tollgate.conf's tracing_instrumentations, tracing_sampling_rate, log_level. */
export function setTracingSettings(instrumentations: readonly string[], samplingRate: number, nodeId: string, logLevel = 'notice'): void {
  current = compileTracingSettings(instrumentations, samplingRate, nodeId, logLevel);
}

/** PUT /debug/node/log-level changed the level: later requests export log lines from it on. */
export function setTracingLogLevel(level: string): void {
  current = { ...current, logRank: logRank(level) };
}

export function tracingSettings(): TracingSettings { return current; }
export function markZipkinInUse(): void { zipkinInUse = true; }
export function markLogsInUse(): void { logsInUse = true; }

/** Whether a request with plugins records a trace (hot path: two boolean reads). */
export function recordsTraces(): boolean { return current.enabled || zipkinInUse || logsInUse; }
export function capturesLogs(): boolean { return logsInUse; }
