// Latency: power of two choices on ewma / weight. The EWMA decays toward zero while an address gets no
// samples (decay time 10 s), so a slow address is retried eventually. An address with no sample yet
// scores the average of the others (slow start). Retries exclude tried addresses.
import type { Address } from '../address';
import type { BalancerContext } from '../types';
import { type Algorithm, isTried } from './algorithm';

export const EWMA_DECAY_MS = 10_000;

export function updateEwma(a: Address, sampleMs: number, now: number): void {
  if (a.ewmaAt < 0) {
    a.ewma = sampleMs;
  } else {
    const w = Math.exp(-Math.max(0, now - a.ewmaAt) / EWMA_DECAY_MS);
    a.ewma = a.ewma * w + sampleMs * (1 - w);
  }
  a.ewmaAt = now;
}

export class Latency implements Algorithm {
  constructor(
    private readonly addresses: readonly Address[],
    private readonly now: () => number,
    private readonly random: () => number = Math.random,
  ) {}

  private decayed(a: Address, t: number, average: number): number {
    if (a.ewmaAt < 0) return average;
    return a.ewma * Math.exp(-Math.max(0, t - a.ewmaAt) / EWMA_DECAY_MS);
  }

  /** First usable address scanning from `from`, skipping `not`. */
  private scan(ctx: BalancerContext, from: number, not: Address | null): Address | null {
    const list = this.addresses;
    const n = list.length;
    for (let k = 0; k < n; k++) {
      const a = list[(from + k) % n];
      if (a !== not && a.available && !isTried(ctx, a)) return a;
    }
    return null;
  }

  pick(ctx: BalancerContext): Address | null {
    const n = this.addresses.length;
    if (n === 0) return null;
    const first = this.scan(ctx, Math.floor(this.random() * n), null);
    if (first === null) return this.anyAvailable();
    const second = this.scan(ctx, Math.floor(this.random() * n), first);
    if (second === null) return first;
    const t = this.now();
    let sum = 0;
    let count = 0;
    for (const a of this.addresses) {
      if (a.ewmaAt >= 0) {
        sum += this.decayed(a, t, 0);
        count++;
      }
    }
    const average = count === 0 ? 0 : sum / count;
    const s1 = this.decayed(first, t, average) / first.weight;
    const s2 = this.decayed(second, t, average) / second.weight;
    return s2 < s1 ? second : first;
  }

  private anyAvailable(): Address | null {
    for (const a of this.addresses) if (a.available) return a;
    return null;
  }
}
