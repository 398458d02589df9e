// response-ratelimiting: limits what responses consume, as the upstream reports it in `X-Kong-Limit`. access
// reads the counters (refusing at once with block_on_first_violation) and tells the upstream what is left;
// header_filter refuses the response of a request over its limit (429, no body); log adds the reported amounts.
import type { PluginContext, PluginHandler, PrepareEnv } from '../../types';
import { KONG_VERSION } from '../common';
import { prepareLimit, redisClient, localCountersProblem, type RedisSettings } from '../rate-limiting/policies';
import { PERIODS, type Period } from '../rate-limiting/schema';
import { LocalCounters, RedisCounters, type NamedLimit, type ResponseCounters } from './counters';
import { parseLimitHeader } from './limit-header';

interface PreparedLimit extends NamedLimit {
  /** Request header to the upstream: the lowest remaining count of this limit's windows. */
  readonly upstreamHeader: string;
  readonly limitHeaders: readonly string[];
  readonly remainingHeaders: readonly string[];
  readonly exceededMessage: string;
}

interface Conf {
  readonly limits: readonly PreparedLimit[];
  readonly indexOf: ReadonlyMap<string, number>;
  readonly headerName: string;
  readonly limitBy: string;
  readonly counters: ResponseCounters;
  readonly faultTolerant: boolean;
  readonly blockOnFirstViolation: boolean;
  readonly hideClientHeaders: boolean;
}

/** Per request, from access to log. */
interface State {
  readonly identifier: string;
  readonly now: number;
  /** remaining[i][j] = limit - counted, before this request (may be negative once a response overshot). */
  readonly remaining: number[][];
  increments: Map<number, number> | null;
  refused: boolean;
}

const STATE = 'response-ratelimiting';
let warnedCluster = false;
let warnedLocal = false;

export const handler: PluginHandler<Conf> = {
  name: 'response-ratelimiting',
  priority: 900,
  version: KONG_VERSION,
  prepare: (config, env) => {
    const limits = Object.entries(config.limits as Record<string, Record<string, unknown>>).map(([name, windows]): PreparedLimit => {
      const prepared = PERIODS.flatMap((period, index) => (typeof windows[period] === 'number' ? [prepareLimit(period, windows[period] as number, index)] : []));
      return {
        name,
        windows: prepared,
        upstreamHeader: `x-ratelimit-remaining-${name}`.toLowerCase(),
        limitHeaders: prepared.map((w) => headerFor('limit', name, w.period)),
        remainingHeaders: prepared.map((w) => headerFor('remaining', name, w.period)),
        exceededMessage: `API rate limit exceeded for '${name}'`,
      };
    });
    return {
      limits,
      indexOf: new Map(limits.map((l, i) => [l.name, i])),
      headerName: (config.header_name as string).toLowerCase(),
      limitBy: config.limit_by as string,
      counters: countersFor(config, env),
      faultTolerant: config.fault_tolerant !== false,
      blockOnFirstViolation: config.block_on_first_violation === true,
      hideClientHeaders: config.hide_client_headers === true,
    };
  },
  access(kong, conf) {
    const now = Date.now();
    const identifier = identify(kong, conf.limitBy);
    let counts: number[][] | Promise<number[][]>;
    try {
      counts = conf.counters.usage(identifier, conf.limits, now);
    } catch (err) {
      return failed(kong, conf, err);
    }
    if (Array.isArray(counts)) return decide(kong, conf, identifier, now, counts);
    return counts.then((c) => decide(kong, conf, identifier, now, c), (err) => failed(kong, conf, err));
  },
  header_filter(kong, conf) {
    const state = kong.ctx[STATE] as State | undefined;
    if (state === undefined) return;
    const increments = parseLimitHeader(kong.response.getHeader(conf.headerName), conf.indexOf);
    state.increments = increments;
    let over = false;
    conf.limits.forEach((limit, i) => {
      const by = increments.get(i) ?? 0;
      limit.windows.forEach((w, j) => {
        const remaining = state.remaining[i][j];
        if (!conf.hideClientHeaders) {
          kong.response.setHeader(limit.limitHeaders[j], w.limitText);
          kong.response.setHeader(limit.remainingHeaders[j], String(Math.max(0, remaining - by)));
        }
        if (by > 0 && remaining <= 0) over = true;
      });
    });
    kong.response.clearHeader(conf.headerName);
    if (over) {
      // Kong: the status only, no body; what this response would have consumed is not counted
      state.refused = true;
      kong.response.exit(429);
    }
  },
  log(kong, conf) {
    const state = kong.ctx[STATE] as State | undefined;
    if (state === undefined || state.refused || state.increments === null) return;
    for (const [i, by] of state.increments) {
      if (by === 0) continue;
      try {
        const done = conf.counters.increment(state.identifier, conf.limits[i], by, state.now);
        if (done) done.catch((err) => kong.log.error(`[response-ratelimiting] could not increment '${conf.limits[i].name}': ${(err as Error)?.message ?? err}`));
      } catch (err) {
        kong.log.error(`[response-ratelimiting] could not increment '${conf.limits[i].name}': ${(err as Error)?.message ?? err}`);
      }
    }
  },
};

/** `X-RateLimit-Limit-videos-minute`: Kong spells the limit name and period as configured. */
function headerFor(kind: 'limit' | 'remaining', name: string, period: Period): string {
  return `x-ratelimit-${kind}-${name}-${period}`.toLowerCase();
}

function countersFor(config: Record<string, unknown>, env: PrepareEnv): ResponseCounters {
  const routeId = env.routeId ?? null;
  const serviceId = env.serviceId ?? null;
  if (config.policy === 'redis') return new RedisCounters(redisClient(config.redis as RedisSettings), routeId, serviceId);
  if (config.policy === 'cluster' && !warnedCluster) {
    warnedCluster = true;
    env.log.warn('[response-ratelimiting] policy "cluster" needs a database; this node counts locally (use "redis" to share counters)');
  }
  const problem = localCountersProblem();
  if (problem !== null && !warnedLocal) {
    warnedLocal = true;
    env.log.warn(`[response-ratelimiting] local counters are not shared by this node's workers (${problem}); each worker counts alone`);
  }
  return new LocalCounters(routeId, serviceId);
}

function identify(kong: PluginContext, limitBy: string): string {
  if (limitBy === 'consumer') return kong.client.consumer?.id ?? kong.client.credential?.id ?? kong.client.ip;
  if (limitBy === 'credential') return kong.client.credential?.id ?? kong.client.ip;
  return kong.client.ip;
}

function decide(kong: PluginContext, conf: Conf, identifier: string, now: number, counts: number[][]): void {
  const remaining = conf.limits.map((l, i) => l.windows.map((w, j) => w.limit - counts[i][j]));
  for (let i = 0; i < conf.limits.length; i++) {
    let lowest = Infinity;
    for (const r of remaining[i]) {
      // Kong compares `== 0`; a response that overshot leaves the count negative, which is just as exhausted
      if (conf.blockOnFirstViolation && r <= 0) return kong.response.error(429, conf.limits[i].exceededMessage);
      if (r < lowest) lowest = r;
    }
    kong.request.setHeader(conf.limits[i].upstreamHeader, String(lowest));
  }
  const state: State = { identifier, now, remaining, increments: null, refused: false };
  kong.ctx[STATE] = state;
}

function failed(kong: PluginContext, conf: Conf, err: unknown): void {
  kong.log.error(`[response-ratelimiting] failed to get usage: ${(err as Error)?.message ?? err}`);
  if (!conf.faultTolerant) kong.response.error(500, 'An unexpected error occurred');
}
