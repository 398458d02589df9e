// One request's trip through its plugin chain: the PluginContext plugins receive, plus the runner's state.
import type { Row } from '@tollgate/declarative/snapshot';
import type { Chain, ChainEntry, PluginChains } from '../chains';
import type { PluginClient, PluginContext, PluginLogger, RequestTimings, RouteInfo, ServiceInfo } from '../types';
import type { HostRequest } from './host';
import { RequestView } from './request-view';
import { ResponseView } from './response-view';

export class PluginRun implements PluginContext, PluginClient {
  readonly request: RequestView;
  readonly response: ResponseView;
  readonly ctx: Record<string, unknown> = {};
  readonly timings: RequestTimings;
  consumer: Row | null = null;
  credential: Row | null = null;
  /** The chain before authentication, and the one chosen after it (same until a consumer is set). */
  firstChain: Chain;
  chain: Chain;
  /** Rank of the plugin that authenticated: entries ranked up to it come from firstChain. */
  switchRank = Number.MAX_SAFE_INTEGER;
  consumerChanged = false;

  constructor(
    readonly chains: PluginChains,
    readonly host: HostRequest,
    readonly route: RouteInfo | null,
    readonly service: ServiceInfo | null,
    readonly requestId: string,
    readonly log: PluginLogger,
    startedAt: number,
  ) {
    this.request = new RequestView(host);
    this.response = new ResponseView(() => this.request.getHeader('accept'), requestId);
    this.firstChain = this.chain = chains.lookup(route?.id ?? null, service?.id ?? null, null);
    this.timings = { startedAt, upstreamLatency: null, proxyLatency: null, totalLatency: null, requestSize: 0, responseSize: 0 };
  }

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
}
