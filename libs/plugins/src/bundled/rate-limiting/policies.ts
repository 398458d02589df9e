// Counter stores. `usage` returns the counts *before* this request and increments only when every window is
// under its limit (a rejected request does not count, as Kong).
import type Redis from 'ioredis';
import { Redis as redisClass } from '../../lazy-deps';
import type { Period } from './schema';
import { counterMemory } from '../../shared-counters/memory';
// from the defining module, not the folder's index: a re-export is a getter call on every use (hot path)
import { CounterTable, EPOCH_BASE_S, MULTIPLIER_A, MULTIPLIER_B, SEED_A, SEED_B, finish, hashPart, hashPartPair, tableBytes } from '../../shared-counters/table';
import { EXPIRATION, WINDOW_SECONDS, windowEnd, windowStart } from './windows';

/** One configured window, with what the hot path needs precomputed (prepare time). */
export interface Limit {
  readonly period: Period;
  readonly limit: number;
  /** Position of `period` in PERIODS: counters are stored by it, so they survive a change of the other limits. */
  readonly periodIndex: number;
  /** String(limit), String(EXPIRATION[period]): header value and Redis argument. */
  readonly limitText: string;
  readonly expirationText: string;
  /** Length of a fixed window (second to day) in seconds; 0 for month and year, whose length varies. */
  readonly windowSeconds: number;
}

export interface CounterPolicy {
  /**
   * counts[i] = requests already seen in limits[i]'s window for (route, service, identifier); incremented when
   * all are below their limit. A synchronous result may be a scratch array reused by the next call.
   */
  usage(routeId: string, serviceId: string, identifier: string, limits: readonly Limit[], now: number): number[] | Promise<number[]>;
}

/** The node's counter table, opened on first use (2^18 slots of 32 bytes: 8 MiB, touched only where used). */
const TABLE_SLOTS = 1 << 18;
let table: CounterTable | null = null;
let tableProblem: string | null = null;

/** The node's counter table (response-ratelimiting's local policy counts in it too, under its own keys). */
export function nodeTable(): CounterTable {
  if (table === null) {
    const memory = counterMemory(tableBytes(TABLE_SLOTS));
    tableProblem = memory.problem;
    try {
      table = new CounterTable(memory.buffer);
    } catch (err) {
      // a file left by another layout: count in this process rather than not at all
      tableProblem = `${(err as Error).message}; counting in this worker only`;
      table = new CounterTable(new ArrayBuffer(tableBytes(TABLE_SLOTS)));
    }
  }
  return table;
}

/** Why local counters are not node-wide in this process, if they should be and are not (logged once at prepare). */
export function localCountersProblem(): string | null {
  nodeTable();
  return tableProblem;
}

/**
 * Kong's `local` policy: counters per node, shared by all its data-plane workers (libs/plugins/src/shared-counters).
 * `scope` (the plugin id) keeps two plugin entities apart; a reconfigure keeps the counts (same plugin id).
 * A request increments every window, then takes the increments back if any window was already at its limit:
 * concurrent workers can never let more than the limit through (at worst one is refused early while another's
 * increment is being taken back).
 * hot path: the key is hashed from the strings the config holds, no key string is built; no allocation.
 */
export class LocalPolicy implements CounterPolicy {
  private readonly table = nodeTable();
  private readonly scopeA: number;
  private readonly scopeB: number;
  /** (route, service) -> the key's hashes so far: ids come from the config, hashed once, not per request. */
  private readonly prefixes = new Map<string, Map<string, Int32Array>>();
  /** The last (route, service) asked and its hashes: a plugin on a route sees one pair (no Map read per request). */
  private lastRoute: string | null = null;
  private lastService: string | null = null;
  private lastPrefix: Int32Array | null = null;
  private scratch: number[] = [];
  private cellsScratch: number[] = [];
  /** The key's two hashes while the identifier is fed in. */
  private readonly keyScratch = new Int32Array(2);

  constructor(scope = '') {
    this.scopeA = hashPart(SEED_A, scope, MULTIPLIER_A);
    this.scopeB = hashPart(SEED_B, scope, MULTIPLIER_B);
  }

  private prefix(routeId: string, serviceId: string): Int32Array {
    if (routeId === this.lastRoute && serviceId === this.lastService) return this.lastPrefix!;
    let byService = this.prefixes.get(routeId);
    if (byService === undefined) this.prefixes.set(routeId, (byService = new Map()));
    let hashes = byService.get(serviceId);
    if (hashes === undefined) {
      hashes = Int32Array.of(
        hashPart(hashPart(this.scopeA, routeId, MULTIPLIER_A), serviceId, MULTIPLIER_A),
        hashPart(hashPart(this.scopeB, routeId, MULTIPLIER_B), serviceId, MULTIPLIER_B),
      );
      byService.set(serviceId, hashes);
    }
    this.lastRoute = routeId;
    this.lastService = serviceId;
    this.lastPrefix = hashes;
    return hashes;
  }

  usage(routeId: string, serviceId: string, identifier: string, limits: readonly Limit[], now: number): number[] {
    const prefix = this.prefix(routeId, serviceId);
    const key = this.keyScratch;
    key[0] = prefix[0];
    key[1] = prefix[1];
    hashPartPair(key, identifier);
    const a = key[0];
    const b = key[1];
    const second = Math.floor(now / 1000);
    const nowS = second - EPOCH_BASE_S;
    const cells = this.cellsScratch;
    const counts = this.scratch;
    if (cells.length !== limits.length) cells.length = counts.length = limits.length;
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      // a fixed window in whole seconds is the same as windowStart/windowEnd's in ms, without their calls
      const size = l.windowSeconds;
      const startS = size > 0 ? second - (second % size) : Math.floor(windowStart(l.period, now) / 1000);
      const endS = (size > 0 ? startS + size : Math.ceil(windowEnd(l.period, now) / 1000)) - EPOCH_BASE_S;
      const cell = this.table.cell(finish(Math.imul(a ^ startS, MULTIPLIER_A) ^ l.periodIndex), finish(Math.imul(b + startS, MULTIPLIER_B) + l.periodIndex), endS, nowS);
      if (cell < 0) throw new Error('the local counter table is full');
      cells[i] = cell;
    }
    const shared = this.table.cells;
    let allowed = true;
    for (let i = 0; i < limits.length; i++) {
      const before = Atomics.add(shared, cells[i], 1);
      counts[i] = before;
      if (before >= limits[i].limit) allowed = false;
    }
    if (!allowed) for (let i = 0; i < limits.length; i++) Atomics.sub(shared, cells[i], 1);
    return counts;
  }
}

// KEYS: one per window; ARGV: limits then expirations. Atomic: read all, increment all only if all are below.
const USAGE_SCRIPT = `
local n = #KEYS
local counts = {}
local allowed = true
for i = 1, n do
  local c = tonumber(redis.call('GET', KEYS[i]) or '0')
  counts[i] = c
  if c >= tonumber(ARGV[i]) then allowed = false end
end
if allowed then
  for i = 1, n do
    redis.call('INCRBY', KEYS[i], 1)
    redis.call('EXPIRE', KEYS[i], tonumber(ARGV[n + i]))
  end
end
return counts`;

const USAGE_COMMAND = 'tollgateRateLimitUsage';

export interface RedisSettings {
  readonly host: string;
  readonly port: number;
  readonly timeout: number;
  readonly username?: string | null;
  readonly password?: string | null;
  readonly database: number;
  readonly ssl: boolean;
  readonly ssl_verify: boolean;
  readonly server_name?: string | null;
}

const clients = new Map<string, Redis>();

/** One connection per distinct Redis settings, shared by every plugin instance of the process. */
export function redisClient(s: RedisSettings): Redis {
  const key = JSON.stringify([s.host, s.port, s.username, s.password, s.database, s.ssl, s.ssl_verify, s.server_name]);
  let client = clients.get(key);
  if (!client) {
    client = new (redisClass())({
      host: s.host, port: s.port, username: s.username ?? undefined, password: s.password ?? undefined, db: s.database,
      connectTimeout: s.timeout, commandTimeout: s.timeout, maxRetriesPerRequest: 1, disconnectTimeout: 200,
      tls: s.ssl ? { rejectUnauthorized: s.ssl_verify, servername: s.server_name ?? undefined } : undefined,
    });
    client.on('error', () => undefined); // reported per request through fault_tolerant
    // EVALSHA (falls back to EVAL once per connection): the script text is not sent and hashed per request
    client.defineCommand(USAGE_COMMAND, { lua: USAGE_SCRIPT });
    clients.set(key, client);
  }
  return client;
}

/** Closes every shared Redis connection (tests, shutdown). */
export async function closeRedisClients(): Promise<void> {
  // disconnect, not quit: a client still retrying an unreachable server would never answer QUIT
  const all = [...clients.values()];
  clients.clear();
  for (const c of all) c.disconnect();
}

type UsageCommand = (...args: Array<string | number>) => Promise<unknown[]>;

export class RedisPolicy implements CounterPolicy {
  constructor(private readonly client: Redis) {}

  usage(routeId: string, serviceId: string, identifier: string, limits: readonly Limit[], now: number): Promise<number[]> {
    const n = limits.length;
    // numkeys, keys, limits, expirations: one array, no intermediate ones
    const args = new Array<string | number>(1 + 3 * n);
    args[0] = n;
    const scope = `ratelimit:${routeId}:${serviceId}:${identifier}:`;
    for (let i = 0; i < n; i++) {
      const l = limits[i];
      args[1 + i] = `${scope}${windowStart(l.period, now)}:${l.period}`;
      args[1 + n + i] = l.limitText;
      args[1 + 2 * n + i] = l.expirationText;
    }
    const usage = (this.client as unknown as Record<string, UsageCommand>)[USAGE_COMMAND];
    return usage.apply(this.client, args).then(toNumbers);
  }
}

function toNumbers(result: unknown[]): number[] {
  const out = new Array<number>(result.length);
  for (let i = 0; i < result.length; i++) out[i] = Number(result[i]);
  return out;
}

/** Limit as the hot path wants it (prepare time). */
export function prepareLimit(period: Period, limit: number, periodIndex: number): Limit {
  return { period, limit, periodIndex, limitText: String(limit), expirationText: String(EXPIRATION[period]), windowSeconds: WINDOW_SECONDS[period] };
}
