// The process-wide Prometheus registry with Kong's metric names, served at /metrics on status_listen. Built on
// first use (a prometheus plugin's first request, or the first scrape): prom-client stays unloaded until then.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { promClient } from '../../lazy-deps';
import { formatKongExposition, LATENCY_BUCKETS } from './exposition';

const BUCKETS = [...LATENCY_BUCKETS];
const AI_LABELS = ['ai_provider', 'ai_model', 'cache_status', 'vector_db', 'embeddings_provider', 'embeddings_model', 'workspace'];

export interface ConnectionStats {
  readonly active: number;
  readonly accepted: number;
  readonly handled: number;
  readonly reading: number;
  readonly writing: number;
  readonly waiting: number;
  readonly totalRequests: number;
}

/** One address of an upstream target as Kong's kong_upstream_target_health labels it. */
export interface TargetAddressHealth {
  readonly upstream: string;
  readonly target: string;
  /** `ip:port`; '' when the target's name did not resolve (state dns_error). */
  readonly address: string;
  readonly state: 'healthchecks_off' | 'healthy' | 'unhealthy' | 'dns_error';
}

/** What the data plane's balancers report: the plugin entities in force (to see whether one asks for upstream
 *  health) and the health of every target address. */
export interface UpstreamHealthSource {
  readonly plugins: ReadonlyArray<{ readonly name: string; readonly conf: unknown }>;
  targets(): TargetAddressHealth[];
}

let connectionStats: () => ConnectionStats | null = () => null;
let upstreamHealth: () => UpstreamHealthSource | null = () => null;
let datastoreReachable: () => boolean = () => true;
const nodeInfo = { id: '', version: '' };

/** The data plane reports its socket counters here (kong_nginx_connections_total / kong_nginx_requests_total). */
export function setConnectionStatsProvider(fn: () => ConnectionStats | null): void { connectionStats = fn; }
export function setUpstreamHealthProvider(fn: () => UpstreamHealthSource | null): void { upstreamHealth = fn; }
export function setDatastoreReachableProvider(fn: () => boolean): void { datastoreReachable = fn; }
export function setNodeInfo(id: string, version: string): void {
  nodeInfo.id = id;
  nodeInfo.version = version;
}

function kongMetrics(metricsRegistry: Registry) {
  const { Counter, Histogram } = promClient();
  return {
    requests: new Counter({ name: 'kong_http_requests_total', help: 'HTTP status codes per consumer/service/route in Kong', labelNames: ['service', 'route', 'code', 'source', 'workspace', 'consumer'], registers: [metricsRegistry] }),
    kongLatency: new Histogram({ name: 'kong_kong_latency_ms', help: 'Latency added by Kong and enabled plugins for each service/route in Kong', labelNames: ['service', 'route', 'workspace'], buckets: BUCKETS, registers: [metricsRegistry] }),
    upstreamLatency: new Histogram({ name: 'kong_upstream_latency_ms', help: 'Latency added by upstream response for each service/route in Kong', labelNames: ['service', 'route', 'workspace'], buckets: BUCKETS, registers: [metricsRegistry] }),
    requestLatency: new Histogram({ name: 'kong_request_latency_ms', help: 'Total latency incurred during requests for each service/route in Kong', labelNames: ['service', 'route', 'workspace'], buckets: BUCKETS, registers: [metricsRegistry] }),
    bandwidth: new Counter({ name: 'kong_bandwidth_bytes', help: 'Total bandwidth (ingress/egress) throughput in bytes', labelNames: ['service', 'route', 'direction', 'workspace', 'consumer'], registers: [metricsRegistry] }),
    // AI mode (ai_metrics): what the AI plugins put in the log serializer's `ai` section
    aiRequests: new Counter({ name: 'ai_llm_requests_total', help: 'AI requests total per ai_provider in Kong', labelNames: AI_LABELS, registers: [metricsRegistry] }),
    aiCost: new Counter({ name: 'ai_llm_cost_total', help: 'AI requests cost per ai_provider/cache in Kong', labelNames: AI_LABELS, registers: [metricsRegistry] }),
    aiTokens: new Counter({ name: 'ai_llm_tokens_total', help: 'AI requests cost per ai_provider/cache in Kong', labelNames: [...AI_LABELS.slice(0, 6), 'token_type', 'workspace'], registers: [metricsRegistry] }),
    aiProviderLatency: new Histogram({ name: 'ai_llm_provider_latency_ms', help: 'LLM response Latency for each AI plugins per ai_provider in Kong', labelNames: AI_LABELS, buckets: [250, 500, 1000, 1500, 2000, 2500, 3000, 3500, 4000, 4500, 5000, 10000, 30000, 60000], registers: [metricsRegistry] }),
    metricErrors: new Counter({ name: 'kong_nginx_metric_errors_total', help: 'Number of nginx-lua-prometheus errors', registers: [metricsRegistry] }),
  };
}

let built: ReturnType<typeof build> | undefined;
/** The registry (what the supervisor's /metrics aggregates). */
export function metricsRegistry(): Registry {
  return (built ??= build()).registry;
}
/** Kong's request metrics, recorded by the prometheus plugin. */
export function metrics(): ReturnType<typeof kongMetrics> {
  return (built ??= build()).metrics;
}

function build(): { registry: Registry; metrics: ReturnType<typeof kongMetrics> } {
  const { Gauge, Registry } = promClient();
  const metricsRegistry = new Registry();
  const metrics = kongMetrics(metricsRegistry);

  new Gauge({
    name: 'kong_nginx_connections_total', help: 'Number of connections by subsystem', labelNames: ['node_id', 'subsystem', 'state'], registers: [metricsRegistry],
    collect() {
      this.reset();
      const s = connectionStats();
      if (!s) return;
      for (const [state, value] of [['active', s.active], ['accepted', s.accepted], ['handled', s.handled], ['reading', s.reading], ['writing', s.writing], ['waiting', s.waiting], ['total', s.accepted]] as const) {
        this.set({ node_id: nodeInfo.id, subsystem: 'http', state }, value);
      }
    },
  });
  new Gauge({
    name: 'kong_nginx_requests_total', help: 'Number of requests total', labelNames: ['node_id', 'subsystem'], registers: [metricsRegistry],
    collect() {
      this.reset();
      const s = connectionStats();
      if (s) this.set({ node_id: nodeInfo.id, subsystem: 'http' }, s.totalRequests);
    },
  });
  const HEALTH_STATES = ['healthchecks_off', 'healthy', 'unhealthy', 'dns_error'] as const;
  new Gauge({
    name: 'kong_upstream_target_health',
    help: 'Health status of targets of upstream. States = healthchecks_off|healthy|unhealthy|dns_error, value is 1 when state is populated.',
    labelNames: ['upstream', 'target', 'address', 'state', 'subsystem'], registers: [metricsRegistry],
    aggregator: 'max', // every worker runs the same balancers: one node reports each address once
    collect() {
      this.reset();
      // exported only while some prometheus plugin has upstream_health_metrics on (Kong's configure())
      const source = upstreamHealth();
      if (!source || !source.plugins.some((p) => p.name === 'prometheus' && (p.conf as { upstreamHealth?: boolean }).upstreamHealth === true)) return;
      for (const t of source.targets()) {
        for (const state of HEALTH_STATES) this.set({ upstream: t.upstream, target: t.target, address: t.address, state, subsystem: 'http' }, state === t.state ? 1 : 0);
      }
    },
  });
  new Gauge({
    name: 'kong_datastore_reachable', help: 'Datastore reachable from Kong, 0 is unreachable', registers: [metricsRegistry],
    aggregator: 'max', // one node: summing workers' views would report 2 on a 2-worker node
    collect() { this.set(datastoreReachable() ? 1 : 0); },
  });
  new Gauge({
    name: 'kong_node_info', help: 'Kong Node metadata information', labelNames: ['node_id', 'version'], registers: [metricsRegistry],
    aggregator: 'max',
    collect() {
      this.reset();
      this.set({ node_id: nodeInfo.id, version: nodeInfo.version }, 1);
    },
  });
  return { registry: metricsRegistry, metrics };
}

/** GET /metrics for the status server: the Prometheus text exposition, with Kong's bucket labels. */
export function metricsHandler(): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    const registry = metricsRegistry();
    registry.metrics().then(
      (text) => {
        res.writeHead(200, { 'content-type': registry.contentType });
        res.end(formatKongExposition(text));
      },
      (err: Error) => {
        res.writeHead(500, { 'content-type': 'text/plain' });
        res.end(err.message);
      },
    );
  };
}
