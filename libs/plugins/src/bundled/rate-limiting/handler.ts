// rate-limiting: fixed windows per identifier (consumer, credential, ip, service, header, path) with local,
// cluster (falls back to local on a data plane: it has no database) or redis counters.
import type { PluginContext, PluginHandler, PrepareEnv } from '../../types';
import { KONG_VERSION } from '../common';
import { LocalPolicy, RedisPolicy, localCountersProblem, prepareLimit, redisClient, type CounterPolicy, type Limit, type RedisSettings } from './policies';
import { PERIODS } from './schema';
import { HEADER_SUFFIX, windowEnd } from './windows';

interface Conf {
  readonly limits: readonly Limit[];
  readonly limitHeaders: readonly string[];
  readonly remainingHeaders: readonly string[];
  readonly limitBy: string;
  readonly headerName: string | null;
  readonly path: string | null;
  readonly policy: CounterPolicy;
  readonly faultTolerant: boolean;
  readonly hideClientHeaders: boolean;
  readonly errorCode: number;
  readonly errorMessage: string;
}

// local counters live as long as the plugin entity, across reconfigures (and in the node's shared table)
const localPolicies = new Map<string, LocalPolicy>();
let warnedCluster = false;
let warnedLocal = false;

export const handler: PluginHandler<Conf> = {
  name: 'rate-limiting',
  priority: 910,
  version: KONG_VERSION,
  prepare: (config, env) => {
    const limits: Limit[] = [];
    PERIODS.forEach((period, index) => {
      if (typeof config[period] === 'number') limits.push(prepareLimit(period, config[period] as number, index));
    });
    return {
      limits,
      limitHeaders: limits.map((l) => `x-ratelimit-limit-${HEADER_SUFFIX[l.period].toLowerCase()}`),
      remainingHeaders: limits.map((l) => `x-ratelimit-remaining-${HEADER_SUFFIX[l.period].toLowerCase()}`),
      limitBy: config.limit_by as string,
      headerName: ((config.header_name as string | null) ?? null)?.toLowerCase() ?? null,
      path: (config.path as string | null) ?? null,
      policy: policyFor(config, env),
      faultTolerant: config.fault_tolerant !== false,
      hideClientHeaders: config.hide_client_headers === true,
      errorCode: (config.error_code as number) ?? 429,
      errorMessage: (config.error_message as string) ?? 'API rate limit exceeded',
    };
  },
  access(kong, conf) {
    const now = Date.now();
    let counts: number[] | Promise<number[]>;
    try {
      counts = conf.policy.usage(kong.route?.id ?? '', kong.service?.id ?? '', identifier(kong, conf), conf.limits, now);
    } catch (err) {
      return failed(kong, conf, err);
    }
    if (Array.isArray(counts)) return decide(kong, conf, counts, now);
    return counts.then((c) => decide(kong, conf, c, now), (err) => failed(kong, conf, err));
  },
};

function policyFor(config: Record<string, unknown>, env: PrepareEnv): CounterPolicy {
  if (config.policy === 'redis') return new RedisPolicy(redisClient(config.redis as RedisSettings));
  if (config.policy === 'cluster' && !warnedCluster) {
    warnedCluster = true;
    env.log.warn('[rate-limiting] policy "cluster" needs a database; this node counts locally (use "redis" to share counters)');
  }
  const problem = localCountersProblem();
  if (problem !== null && !warnedLocal) {
    warnedLocal = true;
    env.log.warn(`[rate-limiting] local counters are not shared by this node's workers (${problem}); each worker counts alone`);
  }
  let local = localPolicies.get(env.pluginId);
  if (!local) localPolicies.set(env.pluginId, (local = new LocalPolicy(env.pluginId)));
  return local;
}

/** Kong's identifier: falls back to the client IP when the chosen one is missing. */
function identifier(kong: PluginContext, conf: Conf): string {
  switch (conf.limitBy) {
    case 'consumer':
      return kong.client.consumer?.id ?? kong.client.credential?.id ?? kong.client.ip;
    case 'credential':
      return kong.client.credential?.id ?? kong.client.ip;
    case 'service':
      return kong.service?.id ?? kong.client.ip;
    case 'header':
      return kong.request.getHeader(conf.headerName!) ?? kong.client.ip;
    case 'path':
      return kong.request.rawPath === conf.path ? conf.path : kong.client.ip;
    default:
      return kong.client.ip;
  }
}

function decide(kong: PluginContext, conf: Conf, counts: number[], now: number): void {
  let exceeded = false;
  let lowest = Infinity;
  let lowestIndex = 0;
  let lowestText = '';
  for (let i = 0; i < counts.length; i++) {
    const limit = conf.limits[i].limit;
    // remaining after this request when it is allowed
    const remaining = Math.max(0, limit - counts[i] - 1);
    if (counts[i] >= limit) exceeded = true;
    const shown = counts[i] >= limit ? 0 : remaining;
    const shownText = conf.hideClientHeaders ? '' : String(shown);
    if (shown < lowest) {
      lowest = shown;
      lowestIndex = i;
      lowestText = shownText;
    }
    if (!conf.hideClientHeaders) {
      kong.response.setHeader(conf.limitHeaders[i], conf.limits[i].limitText);
      kong.response.setHeader(conf.remainingHeaders[i], shownText);
    }
  }
  const shortest = conf.limits[lowestIndex];
  // a fixed window ends size - now % size ms from now (windowEnd's value, without its call); month and year ask it
  const size = shortest.windowSeconds * 1000;
  const left = size > 0 ? size - (now % size) : windowEnd(shortest.period, now) - now;
  const reset = Math.max(1, Math.ceil(left / 1000));
  if (!conf.hideClientHeaders) {
    kong.response.setHeader('ratelimit-limit', conf.limits[lowestIndex].limitText);
    kong.response.setHeader('ratelimit-remaining', lowestText);
    kong.response.setHeader('ratelimit-reset', String(reset));
  }
  if (exceeded) {
    const headers = conf.hideClientHeaders ? undefined : { 'retry-after': String(reset) };
    kong.response.error(conf.errorCode, conf.errorMessage, headers);
  }
}

function failed(kong: PluginContext, conf: Conf, err: unknown): void {
  if (conf.faultTolerant) {
    kong.log.error(`[rate-limiting] failed to get usage: ${(err as Error)?.message ?? err}`);
    return;
  }
  kong.log.error(`[rate-limiting] failed to get usage: ${(err as Error)?.message ?? err}`);
  kong.response.error(500, 'An unexpected error occurred');
}
