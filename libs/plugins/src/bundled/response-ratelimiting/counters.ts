// Counters of response-ratelimiting: read in access (no increment), incremented in log by what the upstream
// reported. `local` counts in the node's shared counter table (all workers), `redis` in Redis, under Kong's
// key layout `response-ratelimit:{route}:{service}:{identifier}:{window start ms}:{name}:{period}`.
import type Redis from 'ioredis';
import { EPOCH_BASE_S, MULTIPLIER_A, MULTIPLIER_B, SEED_A, SEED_B, finish, hashPart } from '../../shared-counters/table';
import { nodeTable } from '../rate-limiting/policies';
import { windowEnd, windowStart } from '../rate-limiting/windows';
import type { Limit } from '../rate-limiting/policies';

/** One named limit (`videos`) with its windows. */
export interface NamedLimit {
  readonly name: string;
  readonly windows: readonly Limit[];
}

export interface ResponseCounters {
  /** counts[i][j]: what limits[i].windows[j] has counted so far. */
  usage(identifier: string, limits: readonly NamedLimit[], now: number): number[][] | Promise<number[][]>;
  /** Adds `by` to every window of `limit`. */
  increment(identifier: string, limit: NamedLimit, by: number, now: number): void | Promise<void>;
}

/** Kong keys counters by the plugin's own route and service, so a global plugin counts across routes. */
const EMPTY_UUID = '00000000-0000-0000-0000-000000000000';

export class LocalCounters implements ResponseCounters {
  private readonly table = nodeTable();
  private readonly scopeA: number;
  private readonly scopeB: number;

  constructor(routeId: string | null, serviceId: string | null) {
    const scope = `response-ratelimit:${routeId ?? EMPTY_UUID}:${serviceId ?? EMPTY_UUID}`;
    this.scopeA = hashPart(SEED_A, scope, MULTIPLIER_A);
    this.scopeB = hashPart(SEED_B, scope, MULTIPLIER_B);
  }

  /** Index of the window's counter in the table; -1 when the table has no room. */
  private cell(identifier: string, name: string, w: Limit, now: number): number {
    const a = hashPart(hashPart(this.scopeA, identifier, MULTIPLIER_A), name, MULTIPLIER_A);
    const b = hashPart(hashPart(this.scopeB, identifier, MULTIPLIER_B), name, MULTIPLIER_B);
    const startS = Math.floor(windowStart(w.period, now) / 1000);
    const endS = Math.ceil(windowEnd(w.period, now) / 1000) - EPOCH_BASE_S;
    const nowS = Math.floor(now / 1000) - EPOCH_BASE_S;
    return this.table.cell(finish(Math.imul(a ^ startS, MULTIPLIER_A) ^ w.periodIndex), finish(Math.imul(b + startS, MULTIPLIER_B) + w.periodIndex), endS, nowS);
  }

  usage(identifier: string, limits: readonly NamedLimit[], now: number): number[][] {
    return limits.map((l) => l.windows.map((w) => {
      const cell = this.cell(identifier, l.name, w, now);
      if (cell < 0) throw new Error('the local counter table is full');
      return Atomics.load(this.table.cells, cell);
    }));
  }

  increment(identifier: string, limit: NamedLimit, by: number, now: number): void {
    for (const w of limit.windows) {
      const cell = this.cell(identifier, limit.name, w, now);
      if (cell < 0) throw new Error('the local counter table is full');
      Atomics.add(this.table.cells, cell, by);
    }
  }
}

// KEYS: the windows' keys; ARGV[1]: the increment, ARGV[1 + i]: KEYS[i]'s lifetime, set when the key is new.
const INCREMENT_SCRIPT = `
local by = tonumber(ARGV[1])
for i = 1, #KEYS do
  if redis.call('INCRBY', KEYS[i], by) == by then redis.call('EXPIRE', KEYS[i], tonumber(ARGV[1 + i])) end
end
return 0`;
const INCREMENT_COMMAND = 'tollgateResponseRateLimitIncrement';

type Command = (...args: Array<string | number>) => Promise<unknown>;

export class RedisCounters implements ResponseCounters {
  private readonly prefix: string;

  constructor(private readonly client: Redis, routeId: string | null, serviceId: string | null) {
    this.prefix = `response-ratelimit:${routeId ?? EMPTY_UUID}:${serviceId ?? EMPTY_UUID}:`;
    // the client is shared with rate-limiting (one connection per Redis settings): define the script once on it
    if (typeof (client as unknown as Record<string, unknown>)[INCREMENT_COMMAND] !== 'function') {
      client.defineCommand(INCREMENT_COMMAND, { lua: INCREMENT_SCRIPT });
    }
  }

  private key(identifier: string, name: string, w: Limit, now: number): string {
    return `${this.prefix}${identifier}:${windowStart(w.period, now)}:${name}:${w.period}`;
  }

  async usage(identifier: string, limits: readonly NamedLimit[], now: number): Promise<number[][]> {
    const keys = limits.flatMap((l) => l.windows.map((w) => this.key(identifier, l.name, w, now)));
    const values = await this.client.mget(keys);
    let k = 0;
    return limits.map((l) => l.windows.map(() => Number(values[k++] ?? 0)));
  }

  async increment(identifier: string, limit: NamedLimit, by: number, now: number): Promise<void> {
    const keys = limit.windows.map((w) => this.key(identifier, limit.name, w, now));
    const command = (this.client as unknown as Record<string, Command>)[INCREMENT_COMMAND];
    await command.call(this.client, keys.length, ...keys, by, ...limit.windows.map((w) => w.expirationText));
  }
}
