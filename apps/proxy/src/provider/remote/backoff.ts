// Retry delays while the control plane is unreachable: exponential, capped, with jitter so a fleet of data
// planes that lost the same control plane does not come back in lockstep.
export interface BackoffPolicy {
  readonly baseMs: number;
  readonly maxMs: number;
}

export const DEFAULT_BACKOFF: BackoffPolicy = { baseMs: 250, maxMs: 5_000 };

/** Delay before retry number `attempt` (0-based): uniformly within [d/2, d], d = min(max, base * 2^attempt). */
export function backoffDelay(attempt: number, policy: BackoffPolicy = DEFAULT_BACKOFF, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}
