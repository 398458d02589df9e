// Where one attempt of a request goes, for every protocol (HTTP, WebSocket, gRPC): the balancer's inputs, the
// peer (or a plugin's kong.service.set_target / set_upstream), and the upstream Host header. One copy, so the
// protocols cannot balance or name the upstream differently.
import type { PluginRun } from '@tollgate/plugins';
import type { HttpMatch } from '@tollgate/router/types';
import { hostHeaderFor } from '../compile/compile-service';
import type { CompiledConfig, CompiledRoute, CompiledService } from '../compile/types';
import type { BalancerContext, Peer, UpstreamRuntime } from '../upstream/types';
import type { ClientRequest } from './errors';
import { isDnsName, srvAddress } from '../upstream/dns-lookup';

/** The balancer's per-request inputs; one object kept across the retries of a request. */
export class RequestBalancerContext implements BalancerContext {
  /** Peers already tried (retries avoid them); set by the forward step. */
  triedPeers: Set<Peer> | undefined = undefined;
  hashValue: string | undefined = undefined;
  setCookie: string | undefined = undefined;

  constructor(
    readonly clientIp: string,
    readonly headers: BalancerContext['headers'],
    readonly cookies: string | null,
    readonly path: string,
    readonly query: string | null,
    readonly captures: Readonly<Record<string, string>> | null,
    readonly consumerId: string | null,
    readonly credentialId: string | null,
  ) {}
}

/** `rawQuery` is '' or '?a=b' (the client's query); the consumer and credential are the access phase's. */
export function balancerContextFor(req: ClientRequest, match: HttpMatch, clientIp: string, rawQuery: string, run: PluginRun | null): RequestBalancerContext {
  const headers = req.headers;
  return new RequestBalancerContext(
    clientIp,
    headers as BalancerContext['headers'],
    (headers.cookie as string | undefined) ?? null,
    match.path,
    rawQuery === '' ? null : rawQuery.slice(1),
    match.captures,
    run?.consumer?.id ?? null,
    run?.credential?.id ?? null,
  );
}

/** The upstream to balance over: a plugin's kong.service.set_upstream wins over the service's own. */
export function balancerOf(cfg: CompiledConfig, service: CompiledService, run: PluginRun | null): UpstreamRuntime | null {
  if (run !== null && run.upstreamOverride !== null) return cfg.upstreamsByName?.get(run.upstreamOverride) ?? null;
  return service.upstream;
}

/** One attempt's destination. Filled in place (the HTTP exchange reuses its own across retries). */
export interface AttemptTarget {
  /** Address to connect to (an IP, or a name the socket layer resolves). */
  host: string;
  port: number;
  /** Host header unless preserve_host or a plugin says otherwise. */
  hostHeader: string;
  /** Name for SNI and the TLS pool key: the target's or service's host as configured. */
  sniHost: string;
  /** The balancer's peer, to report and release; null for a direct service or a set_target. */
  peer: Peer | null;
}

export function emptyTarget(): AttemptTarget {
  return { host: '', port: 0, hostHeader: '', sniHost: '', peer: null };
}

/**
 * Chooses the destination of one attempt into `into`: kong.service.set_target's host and port, else a peer of
 * `balancer`, else the service's own host. False when the balancer has no peer to give (Kong's 503).
 */
export function chooseTarget(into: AttemptTarget, service: CompiledService, run: PluginRun | null, balancer: UpstreamRuntime | null, bctx: BalancerContext | null): boolean {
  const target = run === null ? null : run.targetOverride;
  if (target !== null) {
    // a name answered by SRV records chooses the address and port, as for a service host (Kong's toip for both)
    const srv = isDnsName(target.host) ? srvAddress(target.host, target.port) : null;
    into.host = srv ? srv.ip : target.host;
    into.port = srv ? srv.port : target.port;
    into.hostHeader = hostHeaderFor(target.host, target.port, run!.schemeOverride ?? service.protocol);
    into.sniHost = target.host;
    into.peer = null;
    return true;
  }
  if (balancer !== null) {
    const peer = balancer.pick(bctx!);
    if (peer === null) return false;
    into.host = peer.ip;
    into.port = peer.port;
    into.hostHeader = hostHeaderFor(peer.hostHeader, peer.port, service.protocol);
    into.sniHost = peer.host;
    into.peer = peer;
    return true;
  }
  const direct = service.directPeer!;
  const srv = direct.named ? srvAddress(direct.host, direct.port) : null;
  into.host = srv ? srv.ip : direct.ip;
  into.port = srv ? srv.port : direct.port;
  into.hostHeader = service.defaultHostHeader;
  into.sniHost = service.host;
  into.peer = null;
  return true;
}

/**
 * The DNS name this request's attempts go to when no balancer stands between (kong.service.set_target's host, else
 * the service's own): its SRV records, if any, choose the address and port (chooseTarget); null for an IP or a balancer.
 */
export function namedDestination(service: CompiledService, run: PluginRun | null, balancer: UpstreamRuntime | null): { host: string; port: number } | null {
  const target = run === null ? null : run.targetOverride;
  if (target !== null) return isDnsName(target.host) ? target : null;
  const direct = service.directPeer;
  return balancer === null && direct !== null && direct.named ? direct : null;
}

/**
 * The Host header sent upstream (recomputed on every try): a plugin's Host header, else the client's own with
 * preserve_host, else the target's host with ":port" unless the port is the scheme's default.
 */
export function upstreamHostHeader(route: CompiledRoute, clientHost: string | undefined, run: PluginRun | null, target: AttemptTarget): string {
  if (run !== null) {
    const set = run.request.headerChanges?.get('host');
    if (typeof set === 'string') return set;
  }
  return route.preserveHost && clientHost !== undefined ? clientHost : target.hostHeader;
}
