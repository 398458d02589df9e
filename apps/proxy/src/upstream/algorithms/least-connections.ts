// Least-connections: the available address with the lowest (active + 1) / weight. A linear scan over the
// addresses (upstreams have few) with a rotating start so that equal scores are spread evenly.
import type { Address } from '../address';
import type { BalancerContext } from '../types';
import { type Algorithm, isTried } from './algorithm';

export class LeastConnections implements Algorithm {
  private start = 0;

  constructor(private readonly addresses: readonly Address[]) {}

  pick(ctx: BalancerContext): Address | null {
    const list = this.addresses;
    const n = list.length;
    if (n === 0) return null;
    let best: Address | null = null;
    let bestScore = Infinity;
    let fallback: Address | null = null;
    const first = this.start;
    this.start = first + 1 >= n ? 0 : first + 1;
    for (let k = 0; k < n; k++) {
      const a = list[(first + k) % n];
      if (!a.available) continue;
      if (isTried(ctx, a)) {
        fallback ??= a;
        continue;
      }
      const score = (a.active + 1) / a.weight;
      if (score < bestScore) {
        bestScore = score;
        best = a;
      }
    }
    return best ?? fallback;
  }
}
