// A read-only map that a new version derives from the previous one in time proportional to the change: a large
// base map shared by every version of a lineage, under a small overlay of the keys changed since the base was
// built (copied per version). When the overlay grows past a fraction of the base, the next version folds it into a
// fresh base: one full copy amortised over that many changes. Compiled tables keyed by id (a config's routes, a
// router's exact hosts) use it so that a one-route change on 10,000 routes does not copy 10,000 entries.
const GONE: unique symbol = Symbol('gone');
type Slot<V> = V | typeof GONE;

/** Overlays smaller than this never force a fold; larger ones fold once they exceed 1/FOLD_RATIO of the base. */
const MIN_FOLD = 64;
const FOLD_RATIO = 8;

export class LayeredMap<K, V> implements ReadonlyMap<K, V> {
  private constructor(
    private readonly base: ReadonlyMap<K, V>,
    private readonly overlay: ReadonlyMap<K, Slot<V>>,
    readonly size: number,
  ) {}

  static of<K, V>(entries: Map<K, V>): LayeredMap<K, V> {
    return new LayeredMap(entries, new Map(), entries.size);
  }

  /** hot path: one lookup when nothing is layered, two otherwise; no allocation. */
  get(key: K): V | undefined {
    if (this.overlay.size !== 0) {
      const slot = this.overlay.get(key);
      if (slot !== undefined) return slot === GONE ? undefined : slot;
    }
    return this.base.get(key);
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** A new map with `changes` applied (a value sets its key, undefined deletes it); this one is left as it was. */
  with(changes: Iterable<readonly [K, V | undefined]>): LayeredMap<K, V> {
    const overlay = new Map(this.overlay);
    let size = this.size;
    for (const [key, value] of changes) {
      const had = this.has(key) ? 1 : 0;
      // a key set back to its base value still shadows nothing harmful; deleting a key the base lacks needs no tombstone
      if (value === undefined) {
        if (this.base.has(key)) overlay.set(key, GONE);
        else overlay.delete(key);
        size -= had;
      } else {
        overlay.set(key, value);
        size += 1 - had;
      }
    }
    if (overlay.size <= Math.max(MIN_FOLD, this.base.size / FOLD_RATIO)) return new LayeredMap(this.base, overlay, size);
    const folded = new Map(this.base);
    for (const [key, slot] of overlay) {
      if (slot === GONE) folded.delete(key);
      else folded.set(key, slot);
    }
    return new LayeredMap(folded, new Map(), folded.size);
  }

  *entries(): MapIterator<[K, V]> {
    for (const [key, value] of this.base) {
      const slot = this.overlay.get(key);
      if (slot === undefined) yield [key, value];
    }
    for (const [key, slot] of this.overlay) if (slot !== GONE) yield [key, slot];
  }

  *keys(): MapIterator<K> {
    for (const [key] of this.entries()) yield key;
  }

  *values(): MapIterator<V> {
    for (const [, value] of this.entries()) yield value;
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  forEach(callback: (value: V, key: K, map: ReadonlyMap<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }
}
