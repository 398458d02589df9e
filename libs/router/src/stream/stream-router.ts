// The compiled stream (L4) router: tcp/tls/tls_passthrough routes matched on sources, destinations and snis,
// tried in Kong's compat stream priority (§1.5): bit 61 for snis or sources+destinations, then the source
// bits (exact IP 8, port 4, CIDR 1) shifted left by 4, OR'd with the destination bits; ties to the larger id.
// Stream configs are small and matched once per connection, so a pre-sorted list scan is enough.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { nameMatches, normalizeSni, sniPattern, type NamePattern } from '../patterns';
import type { StreamConnectionInput, StreamRouter } from '../types';
import { blockContains, parseIp, parseIpBlock, type IpBlock } from './ip';

const IP_BIT = 8;
const PORT_BIT = 4;
const CIDR_BIT = 1;

interface Endpoint {
  readonly block: IpBlock | null;
  readonly port: number | null;
}

interface StreamMatcher {
  readonly route: RouteRow;
  readonly tcp: boolean;
  readonly tls: boolean;
  readonly passthrough: boolean;
  readonly sources: readonly Endpoint[] | null;
  readonly destinations: readonly Endpoint[] | null;
  readonly snis: readonly NamePattern[] | null;
  readonly high: number;
  readonly bits: number;
}

type EndpointRows = RouteRow['sources'];

function endpointBits(rows: EndpointRows): number {
  let bits = 0;
  for (const e of rows ?? []) {
    if (e.ip !== null && e.ip !== undefined) bits |= e.ip.includes('/') ? CIDR_BIT : IP_BIT;
    if (e.port !== null && e.port !== undefined) bits |= PORT_BIT;
  }
  return bits;
}

function endpoints(rows: EndpointRows, warn: (msg: string) => void, label: string): Endpoint[] | null {
  if (rows === null || rows === undefined || rows.length === 0) return null;
  const list: Endpoint[] = [];
  for (const e of rows) {
    const block = e.ip === null || e.ip === undefined ? null : parseIpBlock(e.ip);
    if (e.ip !== null && e.ip !== undefined && block === null) {
      warn(`route ${label}: endpoint ip '${e.ip}' skipped: not an IP or CIDR`);
      continue;
    }
    list.push({ block, port: e.port ?? null });
  }
  return list;
}

function endpointMatches(list: readonly Endpoint[], ip: IpBlock | null, port: number): boolean {
  for (const e of list) {
    if (e.port !== null && e.port !== port) continue;
    if (e.block !== null && (ip === null || !blockContains(e.block, ip))) continue;
    return true;
  }
  return false;
}

function buildMatcher(route: RouteRow, warn: (msg: string) => void): StreamMatcher | null {
  const label = route.name ?? route.id;
  const sources = endpoints(route.sources, warn, label);
  const destinations = endpoints(route.destinations, warn, label);
  // A list whose every entry was unusable must not turn into "match anything".
  if ((route.sources?.length ?? 0) > 0 && (sources === null || sources.length === 0)) return null;
  if ((route.destinations?.length ?? 0) > 0 && (destinations === null || destinations.length === 0)) return null;
  const hasSnis = (route.snis?.length ?? 0) > 0;
  return {
    route,
    tcp: route.protocols.includes('tcp'),
    tls: route.protocols.includes('tls'),
    passthrough: route.protocols.includes('tls_passthrough'),
    sources,
    destinations,
    snis: hasSnis ? route.snis!.map(sniPattern) : null,
    high: hasSnis || (sources !== null && destinations !== null) ? 1 : 0,
    bits: (endpointBits(route.sources) << 4) | endpointBits(route.destinations),
  };
}

class CompiledStreamRouter implements StreamRouter {
  readonly warnings: readonly string[];
  readonly size: number;
  private readonly matchers: readonly StreamMatcher[];

  constructor(routes: readonly RouteRow[]) {
    const warnings: string[] = [];
    const matchers: StreamMatcher[] = [];
    for (const route of routes) {
      if (!route.protocols.some((p) => p === 'tcp' || p === 'tls' || p === 'tls_passthrough')) continue;
      const m = buildMatcher(route, (w) => warnings.push(w));
      if (m !== null) matchers.push(m);
    }
    matchers.sort((a, b) => b.high - a.high || b.bits - a.bits || (a.route.id > b.route.id ? -1 : a.route.id < b.route.id ? 1 : 0));
    this.matchers = matchers;
    this.size = matchers.length;
    this.warnings = warnings;
  }

  /**
   * `tcp`: plain connections, tcp routes. `tls`: a TLS connection (preread or terminated) — tls and
   * tls_passthrough routes; the matched route's protocols tell the proxy whether to terminate. `tls_passthrough`:
   * passthrough routes only. snis constrain TLS connections only, as Kong's `net.protocol != "tls" || …`.
   */
  match(conn: StreamConnectionInput): RouteRow | null {
    // Addresses are parsed when a route first needs them: none for routes that only name snis or nothing.
    let src: IpBlock | null | undefined;
    let dst: IpBlock | null | undefined;
    const isTls = conn.protocol !== 'tcp';
    const sni = conn.sni === undefined || conn.sni === '' ? null : normalizeSni(conn.sni);
    for (const m of this.matchers) {
      if (conn.protocol === 'tcp' ? !m.tcp : conn.protocol === 'tls' ? !m.tls && !m.passthrough : !m.passthrough) continue;
      if (m.sources !== null && !endpointMatches(m.sources, src === undefined ? (src = parseIp(conn.sourceIp)) : src, conn.sourcePort)) continue;
      if (m.destinations !== null && !endpointMatches(m.destinations, dst === undefined ? (dst = parseIp(conn.destinationIp)) : dst, conn.destinationPort)) continue;
      if (m.snis !== null && isTls && (sni === null || !m.snis.some((p) => nameMatches(p, sni)))) continue;
      return m.route;
    }
    return null;
  }
}

export function compileStreamRouter(routes: readonly RouteRow[]): StreamRouter & { readonly warnings: readonly string[]; readonly size: number } {
  return new CompiledStreamRouter(routes);
}
