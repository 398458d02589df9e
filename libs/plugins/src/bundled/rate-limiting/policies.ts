// Counter stores. `usage` returns the counts *before* this request and increments only when every window is
// under its limit (a rejected request does not count, as Kong).
import Redis from 'ioredis';
import type { Period } from './schema';
import { EXPIRATION, windowStart } from './windows';

export interface Limit { readonly period: Period; readonly limit: number }

export interface CounterPolicy {
  /** counts[i] = requests already seen in limits[i]'s window; incremented when all are below their limit. */
  usage(scope: string, limits: readonly Limit[], now: number): number[] | Promise<number[]>;
}

/** In-process counters (one per data-plane process). Survives reconfigures: keyed by plugin id in the caller. */
export class LocalPolicy implements CounterPolicy {
  private readonly counters = new Map<string, { start: number; count: number }>();
  private sweepAt = 0;

  usage(scope: string, limits: readonly Limit[], now: number): number[] {
    if (now >= this.sweepAt) this.sweep(now);
    const counts = new Array<number>(limits.length);
    let allowed = true;
    for (let i = 0; i < limits.length; i++) {
      const { period, limit } = limits[i];
      const start = windowStart(period, now);
      const key = scope + period;
      const c = this.counters.get(key);
      const count = c && c.start === start ? c.count : 0;
      counts[i] = count;
      if (count >= limit) allowed = false;
    }
    if (allowed) {
      for (const { period } of limits) {
        const start = windowStart(period, now);
        const key = scope + period;
        const c = this.counters.get(key);
        if (c && c.start === start) c.count++;
        else this.counters.set(key, { start, count: 1 });
      }
    }
    return counts;
  }

  /** Drops counters of past windows once a second, so memory follows live clients only. */
  private sweep(now: number): void {
    this.sweepAt = now + 1000;
    for (const [key, c] of this.counters) {
      const period = key.slice(key.lastIndexOf(':') + 1) as Period;
      if (c.start + EXPIRATION[period] * 1000 <= now) this.counters.delete(key);
    }
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

export class RedisPolicy implements CounterPolicy {
  constructor(private readonly client: Redis) {}

  async usage(scope: string, limits: readonly Limit[], now: number): Promise<number[]> {
    const keys = limits.map(({ period }) => `ratelimit:${scope}${windowStart(period, now)}:${period}`);
    const argv = [...limits.map((l) => String(l.limit)), ...limits.map((l) => String(EXPIRATION[l.period]))];
    const result = (await this.client.eval(USAGE_SCRIPT, keys.length, ...keys, ...argv)) as number[];
    return result.map(Number);
  }
}
