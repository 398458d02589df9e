// A fixed-size hash table of counters over an Int32Array, safe to use from several processes at once with
// Atomics (no lock: a process killed at any instruction leaves nothing held). Used by rate-limiting's `local`
// policy (and meant for response-ratelimiting): one slot per (key, window), so a new window is a new slot and
// counting is one Atomics.add; slots whose window ended are reused in place.
//
// Slot (8 int32): state, tagA, tagB, expires (s since EPOCH_BASE), count, 3 spare.
// state = generation << 2 | phase; phase FREE (never used), CLAIMING (a process writes the key), READY.
// Claims go through compareExchange on the exact state read, and every claim bumps the generation, so a slot
// reused between a read and a claim (ABA) makes the claim fail and the lookup start again. Slots never go
// back to FREE, so a FREE slot ends a probe: a key is always stored before the first FREE slot of its chain.

export const SLOT_INTS = 8;
const STATE = 0;
const TAG_A = 1;
const TAG_B = 2;
const EXPIRES = 3;
const COUNT = 4;

const FREE = 0;
const CLAIMING = 1;
const READY = 2;
const GENERATION_MASK = 0x1fffffff;

const MAGIC = 0x54474331; // "TGC1"
const LAYOUT_VERSION = 1;

/** Slots probed from a key's home slot before the least recently expiring one is evicted (as a full shm evicts). */
const MAX_PROBE = 32;
/** Loads spent waiting for another process to finish writing a key (a claim is four stores). */
const SETTLE_SPINS = 4096;
/**
 * A slot is reused only this long after its window ended: a process that read a slot as its key a moment
 * before (between its clock read and its Atomics.add) must not see it reused under it.
 */
const REUSE_GRACE_S = 5;

/** Seconds are stored from here, so they fit an int32 for decades. */
export const EPOCH_BASE_S = 1_704_067_200; // 2024-01-01T00:00:00Z

/** Bytes for a table of `slots` slots (a power of two) plus its header slot. */
export function tableBytes(slots: number): number {
  return (slots + 1) * SLOT_INTS * 4;
}

export class CounterTable {
  readonly cells: Int32Array;
  private readonly mask: number;

  /** Opens the table in `buffer` (zero-filled on first use), writing the header when it is new. */
  constructor(buffer: ArrayBuffer) {
    const cells = new Int32Array(buffer);
    const slots = cells.length / SLOT_INTS - 1;
    if (!Number.isInteger(slots) || slots < 1 || (slots & (slots - 1)) !== 0) throw new Error(`counter table: ${buffer.byteLength} bytes is not a power-of-two number of slots`);
    Atomics.compareExchange(cells, 0, 0, MAGIC);
    if (Atomics.load(cells, 0) !== MAGIC) throw new Error('counter table: not a Tollgate counter file');
    Atomics.compareExchange(cells, 1, 0, LAYOUT_VERSION);
    Atomics.compareExchange(cells, 2, 0, slots);
    if (Atomics.load(cells, 1) !== LAYOUT_VERSION || Atomics.load(cells, 2) !== slots) throw new Error('counter table: written by another layout');
    this.cells = cells;
    this.mask = slots - 1;
  }

  /**
   * Index in `cells` of the counter of key (tagA, tagB), claiming a slot (count 0) when the key is new.
   * `expires`: when the key's window ends (s since EPOCH_BASE); `now` likewise. -1: no slot could be had (the
   * probe window is held by claims in progress); the caller fails open or closed as its config says.
   * hot path: no allocation.
   */
  cell(tagA: number, tagB: number, expires: number, now: number): number {
    const s = this.cells;
    for (let attempt = 0; attempt < 4; attempt++) {
      let reusable = -1;
      let reusableState = 0;
      let oldest = -1;
      let oldestState = 0;
      let oldestExpires = Infinity;
      let i = (tagA ^ (tagB >>> 16)) & this.mask;
      for (let probe = 0; probe < MAX_PROBE; probe++, i = (i + 1) & this.mask) {
        const base = (i + 1) * SLOT_INTS;
        let state = Atomics.load(s, base + STATE);
        if ((state & 3) === CLAIMING) state = this.settle(base, state);
        const phase = state & 3;
        if (phase === FREE) {
          if (reusable < 0) { reusable = base; reusableState = state; }
          break;
        }
        if (phase !== READY) continue; // a claim abandoned half-way (its process died): skipped for good
        if (Atomics.load(s, base + TAG_A) === tagA && Atomics.load(s, base + TAG_B) === tagB) return base + COUNT;
        const slotExpires = Atomics.load(s, base + EXPIRES);
        if (reusable < 0 && slotExpires + REUSE_GRACE_S < now) { reusable = base; reusableState = state; }
        if (slotExpires < oldestExpires) { oldest = base; oldestState = state; oldestExpires = slotExpires; }
      }
      let target = reusable;
      let targetState = reusableState;
      if (target < 0) { target = oldest; targetState = oldestState; }
      if (target < 0) return -1;
      const generation = ((targetState >>> 2) + 1) & GENERATION_MASK;
      if (Atomics.compareExchange(s, target + STATE, targetState, (generation << 2) | CLAIMING) !== targetState) continue;
      Atomics.store(s, target + TAG_A, tagA);
      Atomics.store(s, target + TAG_B, tagB);
      Atomics.store(s, target + EXPIRES, expires);
      Atomics.store(s, target + COUNT, 0);
      Atomics.store(s, target + STATE, (generation << 2) | READY);
      return target + COUNT;
    }
    return -1;
  }

  private settle(base: number, state: number): number {
    for (let n = 0; n < SETTLE_SPINS; n++) {
      const now = Atomics.load(this.cells, base + STATE);
      if (now !== state) return now;
    }
    return state;
  }
}

/**
 * Two independent 32-bit hashes of a key made of strings, without building the key string (hot path). Feed
 * parts with `hashPart`, then finish each with `finish`.
 */
export function hashPart(h: number, part: string, multiplier: number): number {
  for (let i = 0; i < part.length; i++) h = Math.imul(h ^ part.charCodeAt(i), multiplier);
  return Math.imul(h ^ 0x1f, multiplier); // separator: ('ab','c') and ('a','bc') differ
}

/**
 * `hashPart` of one part into both hashes at once: `pair` = [a, b] becomes [hashPart(a, part, MULTIPLIER_A),
 * hashPart(b, part, MULTIPLIER_B)]. One loop for the two: each hash is a chain of dependent multiplications, so
 * the two chains run side by side in about the time of one. hot path: no allocation.
 */
export function hashPartPair(pair: Int32Array, part: string): void {
  let a = pair[0];
  let b = pair[1];
  for (let i = 0; i < part.length; i++) {
    const c = part.charCodeAt(i);
    a = Math.imul(a ^ c, MULTIPLIER_A);
    b = Math.imul(b ^ c, MULTIPLIER_B);
  }
  pair[0] = Math.imul(a ^ 0x1f, MULTIPLIER_A);
  pair[1] = Math.imul(b ^ 0x1f, MULTIPLIER_B);
}

export const MULTIPLIER_A = 0x01000193; // FNV-1a's prime
export const MULTIPLIER_B = 0x5bd1e995; // MurmurHash2's
export const SEED_A = 0x811c9dc5 | 0;
export const SEED_B = 0x9747b28c | 0;

/** murmur3's finaliser: every input bit reaches every output bit. */
export function finish(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  return h ^ (h >>> 16);
}
