// udp-log: one datagram per request holding Kong's serialized log entry as JSON.
import type { PluginHandler } from '../../types';
import { applyCustomFields, compileCustomFields, type CustomFields } from '../../log/custom-fields';
import { serializeLog } from '../../log/serializer';
import { sendDatagram } from '../../log/udp-sender';
import { KONG_VERSION } from '../common';

interface Conf { readonly host: string; readonly port: number; readonly custom: CustomFields | null }

export const handler: PluginHandler<Conf> = {
  name: 'udp-log',
  priority: 8,
  version: KONG_VERSION,
  prepare: (c, env) => ({ host: c.host as string, port: c.port as number, custom: compileCustomFields(c, env.pluginId) }),
  log(kong, conf) {
    applyCustomFields(kong, conf.custom);
    sendDatagram('udp-log', conf.host, conf.port, JSON.stringify(serializeLog(kong)), kong.log);
  },
};
