// One request's trip through its plugin chain: the PluginContext plugins receive, plus the runner's state.
// hot path: one PluginRun, its two views and its timings per request; the shared ctx is created on first use.
import type { Row } from '@tollgate/declarative/snapshot';
import type { Chain, ChainEntry, PluginChains } from '../chains';
import type { PluginClient, PluginContext, PluginLogger, RequestTimings, RouteInfo, ServiceInfo } from '../types';
import type { HostRequest } from './host';
import type { RequestTrace } from '../tracing/trace';
import { RequestView } from './request-view';
import { ResponseView } from './response-view';

export interface BalancerOverrides {
  retries?: number;
  connectTimeout?: number;
  writeTimeout?: number;
  readTimeout?: number;
}

export class PluginRun implements PluginContext, PluginClient {
  readonly request: RequestView;
  readonly response: ResponseView;
  readonly timings: RequestTimings;
  consumer: Row | null = null;
  credential: Row | null = null;
  /** The chain before authentication, and the one chosen after it (same until a consumer is set). */
  firstChain: Chain;
  chain: Chain;
  /** Rank of the plugin that authenticated: entries ranked up to it come from firstChain. */
  switchRank = Number.MAX_SAFE_INTEGER;
  consumerChanged = false;
  private sharedCtx: Record<string, unknown> | null = null;
  /** kong.log.set_serialize_value: dotted key -> value merged into the log serializer's document. */
  serializeValues: Map<string, unknown> | null = null;
  /** kong.service.set_upstream / set_target: where the proxy sends this request instead of the service's. */
  upstreamOverride: string | null = null;
  targetOverride: { readonly host: string; readonly port: number } | null = null;
  /** kong.service.request.set_scheme: with a target override, the scheme used to reach it. */
  schemeOverride: 'http' | 'https' | null = null;
  /** kong.service.request.enable_buffering: the proxy reads the service's whole body before header_filter runs. */
  bufferedProxying = false;
  /** That body, once in (kong.service.response.get_raw_body / get_body). */
  bufferedBody: Buffer | null = null;
  /** kong.service.set_retries / set_timeouts: this request's values in place of its service's (ms for timeouts). */
  balancerOverrides: BalancerOverrides | null = null;
  /** Spans and timings for the tracing plugins (opentelemetry, zipkin); null when nothing traces. */
  trace: RequestTrace | null = null;

  constructor(
    readonly chains: PluginChains,
    readonly host: HostRequest,
    readonly route: RouteInfo | null,
    readonly service: ServiceInfo | null,
    readonly requestId: string,
    public log: PluginLogger,
    startedAt: number,
    /** The host's own timings object (e.g. one that measures the request's size only when read). */
    timings?: RequestTimings,
  ) {
    this.request = new RequestView(host);
    this.response = new ResponseView(this.request, requestId);
    this.firstChain = this.chain = chains.lookup(route?.id ?? null, service?.id ?? null, null);
    this.timings = timings ?? { startedAt, upstreamLatency: null, proxyLatency: null, totalLatency: null, requestSize: 0, responseSize: 0 };
  }

  /** Keeps this request's log lines (with the active span) for opentelemetry's logs signal, still logging them. */
  captureLogs(): void {
    const trace = this.trace;
    const base = this.log;
    if (trace === null) return;
    this.log = {
      debug: (m, o) => { trace.log('debug', m); base.debug(m, o); },
      info: (m, o) => { trace.log('info', m); base.info(m, o); },
      notice: (m, o) => { trace.log('info', m); (base.notice ?? base.info).call(base, m, o); },
      warn: (m, o) => { trace.log('warn', m); base.warn(m, o); },
      error: (m, o) => { trace.log('error', m); base.error(m, o); },
    };
  }

  /** Kong's kong.ctx.shared: most requests never touch it, so it is allocated on first read. */
  get ctx(): Record<string, unknown> { return (this.sharedCtx ??= {}); }
  /** Kong's ngx.ctx.KONG_PROXIED set by a plugin that answered as the upstream would (proxy-cache hits): the
   *  answer carries the proxy latency, not X-Kong-Response-Latency. */
  get answeredAsProxied(): boolean { return this.sharedCtx?.KONG_PROXIED === true; }
  get client(): PluginClient { return this; }
  get ip(): string { return this.host.clientIp; }
  get entities() { return this.chains.entities; }

  authenticate(consumer: Row | null, credential: Row | null): void {
    this.consumer = consumer;
    this.credential = credential;
    this.consumerChanged = true;
  }

  /** Calls fn for every entry that ran (or would have run) in this request, in priority order. */
  forEachEntry(fn: (entry: ChainEntry) => void): void {
    const protocol = this.host.protocol;
    for (const e of this.firstChain.entries) if (e.rank <= this.switchRank && e.protocols.has(protocol)) fn(e);
    if (this.chain !== this.firstChain) {
      for (const e of this.chain.entries) if (e.rank > this.switchRank && e.protocols.has(protocol)) fn(e);
    }
  }

  get buffersResponse(): boolean { return this.firstChain.buffersResponse || this.chain.buffersResponse; }
  /** false when no chain of this request has a log handler: the host need not watch for the response's end. */
  get hasLogPhase(): boolean { return this.firstChain.hasLog !== false || this.chain.hasLog !== false; }
  /** false when nothing runs after access but queued header changes (no header_filter, body_filter or log). */
  get hasLaterPhases(): boolean {
    const a = this.firstChain;
    const b = this.chain;
    return a.hasHeaderFilter !== false || a.hasBodyFilter !== false || a.hasLog !== false
      || b.hasHeaderFilter !== false || b.hasBodyFilter !== false || b.hasLog !== false;
  }
}
