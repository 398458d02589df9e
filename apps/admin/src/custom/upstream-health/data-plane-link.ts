// How the Admin API reaches the balancers of the data-plane workers of its own node (traditional mode). The
// supervisor provides it once the workers run; without it (tests, a control plane alone) no balancer answers.
import type { DnsStatusReport } from '@tollgate/errors';
import type { HealthAnswer, HealthQuery } from '@tollgate/protocol';

export const DATA_PLANE_LINK = Symbol('DATA_PLANE_LINK');

export interface DataPlaneLink {
  /** Asks every worker once it applied the configuration `configHash` (so a target just created is known). */
  askHealth(query: HealthQuery, configHash: string): Promise<HealthAnswer[]>;
  /** GET /status/dns with new_dns_client = on: the statistics of the resolver the balancers use. */
  dnsReport(): Promise<DnsStatusReport>;
}

export type { HealthAnswer, HealthQuery };
