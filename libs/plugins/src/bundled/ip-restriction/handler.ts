// ip-restriction: deny wins, then a non-empty allow list must match.
import type { BlockList } from 'node:net';
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { compileCidrList, inList } from './cidr-list';

interface Conf { allow: BlockList | null; deny: BlockList | null; status: number; message: string }

export const handler: PluginHandler<Conf> = {
  name: 'ip-restriction',
  priority: 990,
  version: KONG_VERSION,
  prepare: (config) => ({
    allow: config.allow && (config.allow as string[]).length ? compileCidrList(config.allow as string[]) : null,
    deny: config.deny && (config.deny as string[]).length ? compileCidrList(config.deny as string[]) : null,
    status: (config.status as number | null) ?? 403,
    message: (config.message as string | null) ?? 'IP address not allowed',
  }),
  access(kong, conf) {
    const ip = kong.client.ip;
    const blocked = (conf.deny !== null && inList(conf.deny, ip)) || (conf.allow !== null && !inList(conf.allow, ip));
    if (blocked) kong.response.error(conf.status, conf.message);
  },
};
