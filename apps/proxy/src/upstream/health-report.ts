// Shapes the node-local health state the way `GET /upstreams/{u}/health` answers.
import type { Address, TargetEntry } from './address';
import type { TargetAddressHealth } from '@tollgate/plugins';
import type { BalancerHealth, HealthName, TargetHealth, TargetHealthData } from './types';

function weights(addresses: readonly Address[]) {
  let total = 0;
  let available = 0;
  for (const a of addresses) {
    total += a.weight;
    if (a.healthy) available += a.weight;
  }
  return { total, available, unavailable: total - available };
}

export function targetData(t: TargetEntry, checksEnabled: boolean): TargetHealthData {
  const w = weights(t.addresses);
  return {
    host: t.host,
    port: t.port,
    dns: t.dnsError ?? t.dns,
    nodeWeight: w.total,
    weight: w,
    addresses: t.addresses.map((a) => ({
      ip: a.ip,
      port: a.port,
      weight: a.weight,
      health: (!checksEnabled ? 'HEALTHCHECKS_OFF' : a.healthy ? 'HEALTHY' : 'UNHEALTHY') as HealthName,
    })),
  };
}

export function targetHealthName(t: TargetEntry, checksEnabled: boolean): HealthName {
  if (t.weight > 0 && t.addresses.length === 0 && t.dnsError !== null) return 'DNS_ERROR';
  if (!checksEnabled || t.weight === 0) return 'HEALTHCHECKS_OFF';
  return t.addresses.some((a) => a.healthy) ? 'HEALTHY' : 'UNHEALTHY';
}

export function targetHealth(t: TargetEntry, checksEnabled: boolean): TargetHealth {
  return { ...t.row, health: targetHealthName(t, checksEnabled), data: targetData(t, checksEnabled) };
}

export function balancerHealth(
  id: string,
  targets: readonly TargetEntry[],
  balanced: readonly Address[],
  healthy: boolean,
  checksEnabled: boolean,
): BalancerHealth {
  const b = healthy ? 'HEALTHY' : 'UNHEALTHY';
  return {
    health: checksEnabled ? b : 'HEALTHCHECKS_OFF',
    balancer_health: b,
    id,
    details: { healthy, weight: weights(balanced), hosts: targets.map((t) => targetData(t, checksEnabled)) },
  };
}

/** Every target address of these balancers as Kong's kong_upstream_target_health reports it: a target with no
 *  resolved address is one `dns_error` series with an empty address. */
export function targetAddressHealth(upstreams: Iterable<{ readonly name: string; health(): TargetHealth[] }>): TargetAddressHealth[] {
  const out: TargetAddressHealth[] = [];
  for (const upstream of upstreams) {
    for (const t of upstream.health()) {
      const target = String(t.target);
      if (t.data.addresses.length === 0) {
        out.push({ upstream: upstream.name, target, address: '', state: 'dns_error' });
        continue;
      }
      for (const a of t.data.addresses) {
        out.push({ upstream: upstream.name, target, address: `${a.ip}:${a.port}`, state: a.health.toLowerCase() as TargetAddressHealth['state'] });
      }
    }
  }
  return out;
}
