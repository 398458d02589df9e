// Counter stores. `usage` returns the counts *before* this request and increments only when every window is
// under its limit (a rejected request does not count, as Kong).
import Redis from 'ioredis';
import type { Period } from './schema';
import { EXPIRATION, EXPIRATION_MS, windowStart } from './windows';

/** One configured window, with what the hot path needs precomputed (prepare time). */
export interface Limit {
  readonly period: Period;
  readonly limit: number;
  /** Position of `period` in PERIODS: counters are stored by it, so they survive a change of the other limits. */
  readonly periodIndex: number;
  /** String(limit), String(EXPIRATION[period]): header value and Redis argument. */
  readonly limitText: string;
  readonly expirationText: string;
}

export interface CounterPolicy {
  /**
   * counts[i] = requests already seen in limits[i]'s window for (route, service, identifier); incremented when
   * all are below their limit. A synchronous result may be a scratch array reused by the next call.
   */
  usage(routeId: string, serviceId: string, identifier: string, limits: readonly Limit[], now: number): number[] | Promise<number[]>;
}

/** Window start and count per period (by PERIODS position) of one (route, service, identifier). */
class Counters {
  readonly starts = [0, 0, 0, 0, 0, 0];
  readonly counts = [0, 0, 0, 0, 0, 0];
}

/**
 * In-process counters (one per data-plane process). Survives reconfigures: keyed by plugin id in the caller.
 * hot path: nested maps on strings the config already holds (route, service, consumer ids), so a request builds
 * no key string; the counts array is reused.
 */
export class LocalPolicy implements CounterPolicy {
  private readonly byRoute = new Map<string, Map<string, Map<string, Counters>>>();
  private sweepAt = 0;
  private scratch: number[] = [];

  usage(routeId: string, serviceId: string, identifier: string, limits: readonly Limit[], now: number): number[] {
    if (now >= this.sweepAt) this.sweep(now);
    let byService = this.byRoute.get(routeId);
    if (byService === undefined) this.byRoute.set(routeId, (byService = new Map()));
    let byId = byService.get(serviceId);
    if (byId === undefined) byService.set(serviceId, (byId = new Map()));
    let c = byId.get(identifier);
    if (c === undefined) byId.set(identifier, (c = new Counters()));
    const counts = this.scratch;
    counts.length = limits.length;
    let allowed = true;
    for (let i = 0; i < limits.length; i++) {
      const l = limits[i];
      const p = l.periodIndex;
      const start = windowStart(l.period, now);
      if (c.starts[p] !== start) {
        c.starts[p] = start;
        c.counts[p] = 0;
      }
      const count = c.counts[p];
      counts[i] = count;
      if (count >= l.limit) allowed = false;
    }
    if (allowed) for (let i = 0; i < limits.length; i++) c.counts[limits[i].periodIndex]++;
    return counts;
  }

  /** Drops counters whose windows all passed, once a second, so memory follows live clients only. */
  private sweep(now: number): void {
    this.sweepAt = now + 1000;
    for (const [routeId, byService] of this.byRoute) {
      for (const [serviceId, byId] of byService) {
        for (const [id, c] of byId) if (expired(c, now)) byId.delete(id);
        if (byId.size === 0) byService.delete(serviceId);
      }
      if (byService.size === 0) this.byRoute.delete(routeId);
    }
  }
}

function expired(c: Counters, now: number): boolean {
  for (let p = 0; p < c.counts.length; p++) {
    if (c.counts[p] > 0 && c.starts[p] + EXPIRATION_MS[p] > now) return false;
  }
  return true;
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
  readonly connect_timeout?: number | null;
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
    client = new Redis({
      host: s.host, port: s.port, username: s.username ?? undefined, password: s.password ?? undefined, db: s.database,
      connectTimeout: s.connect_timeout ?? s.timeout, commandTimeout: s.timeout, maxRetriesPerRequest: 1, disconnectTimeout: 200,
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
  return { period, limit, periodIndex, limitText: String(limit), expirationText: String(EXPIRATION[period]) };
}
