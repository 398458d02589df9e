// Load balancing, health checks and DNS for upstreams; shared by the HTTP and the stream proxy.
export { createUpstreamRuntime, type UpstreamRuntimeOptions } from './runtime';
export { createDnsCache, type DnsCache, type DnsCacheOptions, type DnsAnswer, type DnsAddress, type DnsResolverLike } from './dns-cache';
export { parseHostPort, DEFAULT_TARGET_PORT } from './target-string';
export type {
  AddressHealth,
  BalancerContext,
  BalancerHealth,
  HealthName,
  Outcome,
  Peer,
  Row,
  SetHealthResult,
  TargetHealth,
  TargetHealthData,
  UpstreamLog,
  UpstreamRuntime,
} from './types';
export { answerHealthQuery } from './health-query';
export type { HealthAnswer, HealthQuery } from '@tollgate/protocol';
