// One balancer address: a target expanded by DNS into ip:port. Holds health and load state;
// the algorithms and the health checker read and write these fields directly (no per-request objects).
import type { Peer } from './types';

export const ADDRESS = Symbol('tollgate.upstream.address');

export interface InternalPeer extends Peer {
  readonly [ADDRESS]: Address;
}

export interface TargetEntry {
  readonly id: string;
  readonly row: import('./types').Row;
  readonly target: string;
  readonly host: string;
  readonly port: number;
  readonly weight: number;
  readonly isIp: boolean;
  /** Filled by DNS for hostname targets. */
  addresses: Address[];
  dns: string;
  dnsError: string | null;
}

export class Address {
  healthy = true;
  successes = 0;
  httpFailures = 0;
  tcpFailures = 0;
  timeouts = 0;
  /** Connections counted from pick to release. */
  active = 0;
  /** Latency EWMA in ms, and when it was last touched; ewmaAt < 0 means no sample yet. */
  ewma = 0;
  ewmaAt = -1;
  readonly peer: InternalPeer;
  readonly key: string;

  constructor(
    readonly target: TargetEntry,
    readonly ip: string,
    readonly port: number,
    readonly weight: number,
    hostHeader: string,
  ) {
    this.key = `${target.target}|${ip}:${port}`;
    const peer = { targetId: target.id, host: target.host, port, ip, hostHeader };
    // Not enumerable: the proxy may spread or log a peer without dragging the balancer state along.
    Object.defineProperty(peer, ADDRESS, { value: this, enumerable: false });
    this.peer = peer as InternalPeer;
  }

  /** weight 0 (SRV weights are at least 1) never happens here: weight-0 targets get no addresses. */
  get available(): boolean {
    return this.healthy;
  }
}

export function addressOf(peer: Peer): Address | undefined {
  return (peer as InternalPeer)[ADDRESS];
}
