// Consistent hashing on a ketama-style continuum of `slots` entries. Each address gets points in
// proportion to its weight (160 per address at equal weights), placed at xxhash32("ip:port i") with
// collisions pushed forward. Addresses are laid out in sorted order so every node builds the same ring.
// A lookup walks backwards from the value's index to the first available address; retries land on the
// same address unless it became unavailable (Kong's behaviour), so tried peers are not skipped here.
import type { Address } from '../address';
import type { BalancerContext } from '../types';
import { xxhash32 } from '../xxhash32';
import type { Algorithm } from './algorithm';

export const POINTS_PER_ADDRESS = 160;

export function ringSize(slots: number): number {
  return Math.min(Math.max(slots, 1000), 2 ** 32);
}

export class ConsistentHashing implements Algorithm {
  private readonly ring: Int32Array;
  /** For each index, the nearest filled index at or before it (wrapping): lookups skip empty slots in O(1). */
  private readonly prevFilled: Int32Array;
  private readonly size: number;
  private readonly points: number;
  readonly addresses: readonly Address[];

  constructor(addresses: readonly Address[], slots: number) {
    this.addresses = [...addresses].sort(compareAddresses);
    this.size = ringSize(slots);
    const size = this.size;
    this.ring = new Int32Array(size).fill(-1);
    this.prevFilled = new Int32Array(size).fill(-1);
    const n = this.addresses.length;
    const totalWeight = this.addresses.reduce((s, a) => s + a.weight, 0);
    let perAddress = this.addresses.map((a) => Math.max(1, Math.floor((a.weight / totalWeight) * n * POINTS_PER_ADDRESS)));
    let total = perAddress.reduce((s, p) => s + p, 0);
    if (total > size) {
      // More points than slots: scale down so the ring can hold them (only with > slots/160 addresses).
      perAddress = perAddress.map((p) => Math.max(1, Math.floor((p * size) / total / 1.01)));
      total = perAddress.reduce((s, p) => s + p, 0);
    }
    this.points = Math.min(total, size);
    let placed = 0;
    for (let i = 0; i < n && placed < size; i++) {
      const a = this.addresses[i];
      for (let p = 0; p < perAddress[i] && placed < size; p++) {
        let idx = xxhash32(`${a.ip}:${a.port} ${p}`) % size;
        while (this.ring[idx] !== -1) idx = idx + 1 === size ? 0 : idx + 1;
        this.ring[idx] = i;
        placed++;
      }
    }
    if (placed === 0) return;
    let last = -1;
    for (let k = size - 1; k >= 0; k--) {
      if (this.ring[k] !== -1) {
        last = k;
        break;
      }
    }
    let cur = last;
    for (let k = 0; k < size; k++) {
      if (this.ring[k] !== -1) cur = k;
      this.prevFilled[k] = cur;
    }
  }

  pick(_ctx: BalancerContext, hash: number): Address | null {
    if (this.points === 0) return null;
    const size = this.size;
    let idx = this.prevFilled[hash % size];
    for (let step = 0; step < this.points; step++) {
      const a = this.addresses[this.ring[idx]];
      if (a.available) return a;
      idx = this.prevFilled[idx === 0 ? size - 1 : idx - 1];
    }
    return null;
  }
}

function compareAddresses(x: Address, y: Address): number {
  return (
    cmp(x.target.host, y.target.host) || x.target.port - y.target.port || cmp(x.ip, y.ip) || x.port - y.port
  );
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
