// The questions the Admin API asks a data-plane worker about its upstream balancers and health checker, and
// their answers. Plain JSON both ways: they cross the supervisor <-> worker IPC channel.

/** A stored row (Admin API shape). */
type Row = Readonly<Record<string, unknown>> & { readonly id: string };

export type HealthName = 'HEALTHY' | 'UNHEALTHY' | 'DNS_ERROR' | 'HEALTHCHECKS_OFF';

export interface AddressHealth {
  readonly ip: string;
  readonly port: number;
  readonly weight: number;
  readonly health: HealthName;
}

export interface TargetHealthData {
  readonly host: string;
  readonly port: number;
  readonly dns: string;
  readonly nodeWeight: number;
  readonly weight: { readonly total: number; readonly available: number; readonly unavailable: number };
  readonly addresses: readonly AddressHealth[];
}

/** A targets row plus `health` and `data`: one element of `GET /upstreams/{u}/health`'s `data`. */
export type TargetHealth = Row & { readonly health: HealthName; readonly data: TargetHealthData };

/** `data` of `GET /upstreams/{u}/health?balancer_health=1`. */
export interface BalancerHealth {
  readonly health: 'HEALTHY' | 'UNHEALTHY' | 'HEALTHCHECKS_OFF';
  readonly balancer_health: 'HEALTHY' | 'UNHEALTHY';
  readonly id: string;
  readonly details: {
    readonly healthy: boolean;
    readonly weight: { readonly total: number; readonly available: number; readonly unavailable: number };
    readonly hosts: readonly TargetHealthData[];
  };
}

export type SetHealthResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly status: 400 | 404; readonly message: string };

export type HealthQuery =
  | { readonly kind: 'targets'; readonly upstream: string }
  | { readonly kind: 'balancer'; readonly upstream: string }
  | { readonly kind: 'set'; readonly upstream: string; readonly target: string; readonly address: string | null; readonly healthy: boolean };

/** `no-balancer`: the worker has no balancer for this upstream (Kong: "balancer not found"). */
export type HealthAnswer =
  | { readonly kind: 'no-balancer' }
  | { readonly kind: 'targets'; readonly targets: TargetHealth[] }
  | { readonly kind: 'balancer'; readonly balancer: BalancerHealth }
  | { readonly kind: 'set'; readonly result: SetHealthResult };
