// A byte-bounded LRU of JSON texts with per-entry expiry: what Kong's proxy-cache keeps in an nginx shared dict
// (`kong_db_cache`, sized by mem_cache_size). A full shm evicts its least recently used items to make room for
// a new one; so does this. Lives in the one process that owns a node's cache (the supervisor, see ./index.ts).

/** Bytes counted for an entry besides its key and value (the Map slot, the entry object). */
const ENTRY_OVERHEAD = 64;

interface Entry {
  readonly value: string;
  /** ms since the epoch; 0 = never. */
  readonly expiresAt: number;
  readonly bytes: number;
}

export class LruTextCache {
  // A Map iterates in insertion order: re-inserting on every hit keeps the least recently used first.
  private readonly entries = new Map<string, Entry>();
  private used = 0;

  constructor(readonly capacity: number) {}

  get bytes(): number { return this.used; }
  get size(): number { return this.entries.size; }

  get(key: string, now = Date.now()): string | null {
    const e = this.entries.get(key);
    if (e === undefined) return null;
    this.entries.delete(key);
    if (e.expiresAt !== 0 && e.expiresAt <= now) {
      this.used -= e.bytes;
      return null;
    }
    this.entries.set(key, e);
    return e.value;
  }

  /** Stores `value` for `ttlS` seconds (0: no expiry). false when it cannot fit even in an empty cache. */
  set(key: string, value: string, ttlS: number, now = Date.now()): boolean {
    this.delete(key);
    const bytes = ENTRY_OVERHEAD + 2 * key.length + 2 * value.length; // V8 strings: up to 2 bytes per char
    if (bytes > this.capacity) return false;
    // expired entries first, then the least recently used, until the new one fits
    if (this.used + bytes > this.capacity) this.dropExpired(now);
    for (const [k, e] of this.entries) {
      if (this.used + bytes <= this.capacity) break;
      this.entries.delete(k);
      this.used -= e.bytes;
    }
    this.entries.set(key, { value, expiresAt: ttlS > 0 ? now + ttlS * 1000 : 0, bytes });
    this.used += bytes;
    return true;
  }

  delete(key: string): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    this.entries.delete(key);
    this.used -= e.bytes;
    return true;
  }

  clear(): void {
    this.entries.clear();
    this.used = 0;
  }

  private dropExpired(now: number): void {
    for (const [k, e] of this.entries) {
      if (e.expiresAt !== 0 && e.expiresAt <= now) {
        this.entries.delete(k);
        this.used -= e.bytes;
      }
    }
  }
}
