// Answers the Admin API's health questions (libs/protocol health.ts) from this worker's balancers.
import type { HealthAnswer, HealthQuery } from '@tollgate/protocol';
import type { UpstreamRuntime } from './types';

export function answerHealthQuery(upstreams: ReadonlyMap<string, UpstreamRuntime>, query: HealthQuery): HealthAnswer {
  const runtime = upstreams.get(query.upstream);
  if (!runtime) return { kind: 'no-balancer' };
  switch (query.kind) {
    case 'targets':
      return { kind: 'targets', targets: runtime.health() };
    case 'balancer':
      return { kind: 'balancer', balancer: runtime.balancerHealth() };
    case 'set':
      return { kind: 'set', result: runtime.setHealth(query.target, query.address, query.healthy) };
  }
}
