// The plugins DAO's checks that need the database (kong-admin-api.md §1.4): a plugin's protocols must overlap
// its route's, or, for a service-scoped plugin, those of at least one route of that service (when it has any).
import type { EntityManager } from 'typeorm';
import { schemaViolation } from '@tollgate/errors';
import { foreignColumn } from './columns';
import { findRow } from './locate';
import type { Entity } from './row-mapper';

export const ROUTE_PROTOCOLS_MISMATCH = "must match the associated route's protocols";
export const SERVICE_PROTOCOLS_MISMATCH = "must match the protocols of at least one route pointing to this Plugin's service";

function referencedId(value: unknown): string | undefined {
  const id = value && typeof value === 'object' ? (value as Entity).id : undefined;
  return typeof id === 'string' ? id.toLowerCase() : undefined;
}

function protocolsOf(raw: unknown): string[] {
  if (typeof raw !== 'string') return [];
  const parsed: unknown = JSON.parse(raw);
  return Array.isArray(parsed) ? parsed.filter((p): p is string => typeof p === 'string') : [];
}

const overlaps = (plugin: readonly string[], route: readonly string[]) => plugin.some((protocol) => route.includes(protocol));

export async function checkPluginProtocols(manager: EntityManager, plugin: Entity): Promise<void> {
  if (!Array.isArray(plugin.protocols)) return;
  const protocols = plugin.protocols as string[];
  const routeId = referencedId(plugin.route);
  if (routeId) {
    // a missing route is the foreign-key check's business, as in Kong
    const route = await findRow(manager, 'routes', { id: routeId });
    if (route && !overlaps(protocols, protocolsOf(route.protocols))) throw schemaViolation({ protocols: ROUTE_PROTOCOLS_MISMATCH });
    return;
  }
  const serviceId = referencedId(plugin.service);
  if (!serviceId) return;
  const routes: Array<{ protocols: unknown }> = await manager
    .createQueryBuilder()
    .select('r.protocols', 'protocols')
    .from('routes', 'r')
    .where(`r.${foreignColumn('service')} = :serviceId`, { serviceId })
    .getRawMany();
  if (routes.length > 0 && !routes.some((route) => overlaps(protocols, protocolsOf(route.protocols)))) {
    throw schemaViolation({ protocols: SERVICE_PROTOCOLS_MISMATCH });
  }
}
