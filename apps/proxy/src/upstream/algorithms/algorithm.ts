// A balancing algorithm is built once per address set (off the hot path) and then only picks.
import type { Address } from '../address';
import type { BalancerContext } from '../types';

export interface Algorithm {
  /** hot path: no allocation. `hash` is only meaningful to consistent-hashing. Null when nothing is available. */
  pick(ctx: BalancerContext, hash: number): Address | null;
}

export function isTried(ctx: BalancerContext, a: Address): boolean {
  return ctx.triedPeers !== undefined && ctx.triedPeers.has(a.peer);
}

export function gcd(a: number, b: number): number {
  while (b !== 0) [a, b] = [b, a % b];
  return a;
}
