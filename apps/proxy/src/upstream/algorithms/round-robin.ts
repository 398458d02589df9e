// Weighted round-robin over a precomputed wheel: each address appears weight/gcd times, spread smoothly
// (each address's entries sit at evenly spaced virtual times), so a full turn of the wheel gives the
// exact weight ratio and heavy addresses do not come in bursts.
import type { Address } from '../address';
import type { BalancerContext } from '../types';
import { type Algorithm, gcd, isTried } from './algorithm';

/** Wheel size cap: beyond it weights are scaled down proportionally (ratios approximate). */
export const MAX_WHEEL = 1 << 17;

export function buildWheel(weights: readonly number[]): Uint32Array {
  let g = 0;
  for (const w of weights) if (w > 0) g = gcd(g, w);
  if (g === 0) return new Uint32Array(0);
  let counts = weights.map((w) => w / g);
  let total = counts.reduce((s, c) => s + c, 0);
  if (total > MAX_WHEEL) {
    const scale = MAX_WHEEL / total;
    counts = counts.map((c) => (c > 0 ? Math.max(1, Math.floor(c * scale)) : 0));
    total = counts.reduce((s, c) => s + c, 0);
  }
  const when = new Float64Array(total);
  const who = new Uint32Array(total);
  let n = 0;
  counts.forEach((c, i) => {
    for (let j = 0; j < c; j++) {
      when[n] = (j + 0.5) / c;
      who[n] = i;
      n++;
    }
  });
  const order = Array.from({ length: total }, (_, k) => k);
  order.sort((x, y) => when[x] - when[y] || who[x] - who[y]);
  const wheel = new Uint32Array(total);
  for (let k = 0; k < total; k++) wheel[k] = who[order[k]];
  return wheel;
}

export class RoundRobin implements Algorithm {
  private readonly wheel: Uint32Array;
  private pointer: number;

  constructor(private readonly addresses: readonly Address[], startAt?: number) {
    this.wheel = buildWheel(addresses.map((a) => a.weight));
    this.pointer = this.wheel.length === 0 ? 0 : (startAt ?? Math.floor(Math.random() * this.wheel.length)) % this.wheel.length;
  }

  pick(ctx: BalancerContext): Address | null {
    const wheel = this.wheel;
    const size = wheel.length;
    let fallback: Address | null = null;
    for (let step = 0; step < size; step++) {
      const a = this.addresses[wheel[this.pointer]];
      this.pointer = this.pointer + 1 === size ? 0 : this.pointer + 1;
      if (!a.available) continue;
      if (isTried(ctx, a)) {
        if (fallback === null) fallback = a;
        continue;
      }
      return a;
    }
    // Every available address was tried already: a retry goes to one of them again, as Kong's wheel would.
    return fallback;
  }
}
