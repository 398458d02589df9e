// acl: allow or deny by the authenticated consumer's groups; tells the upstream the groups.
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf { allow: Set<string> | null; deny: Set<string> | null; hide_groups_header: boolean }

export const handler: PluginHandler<Conf> = {
  name: 'acl',
  priority: 950,
  version: KONG_VERSION,
  prepare: (config) => ({
    allow: config.allow ? new Set(config.allow as string[]) : null,
    deny: config.deny ? new Set(config.deny as string[]) : null,
    hide_groups_header: config.hide_groups_header === true,
  }),
  access(kong, conf) {
    const consumer = kong.client.consumer;
    if (!consumer) return kong.response.error(401, 'Unauthorized');
    const groups = kong.entities.aclGroups.get(consumer.id) ?? [];
    const blocked = conf.allow ? !groups.some((g) => conf.allow!.has(g)) : groups.some((g) => conf.deny!.has(g));
    if (blocked) return kong.response.error(403, 'You cannot consume this service');
    if (!conf.hide_groups_header) {
      if (groups.length) kong.request.setHeader('x-consumer-groups', groups.join(', '));
      else kong.request.clearHeader('x-consumer-groups');
    }
  },
};
