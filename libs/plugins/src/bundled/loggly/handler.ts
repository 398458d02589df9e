// loggly: Loggly's syslog intake over UDP: an RFC 5424 line (facility user) whose structured data carries the
// customer token and tags, followed by Kong's serialized log entry as JSON.
import { hostname } from 'node:os';
import type { PluginHandler } from '../../types';
import { applyCustomFields, compileCustomFields, type CustomFields } from '../../log/custom-fields';
import { serializeLog } from '../../log/serializer';
import { SEVERITY_CODE, severityFor } from '../../log/severity';
import { sendDatagram } from '../../log/udp-sender';
import { KONG_VERSION } from '../common';

interface Conf { readonly config: Record<string, unknown>; readonly host: string; readonly port: number; readonly header: string; readonly custom: CustomFields | null }

const USER_FACILITY = 1;
const HOSTNAME = hostname();

export const handler: PluginHandler<Conf> = {
  name: 'loggly',
  priority: 6,
  version: KONG_VERSION,
  prepare: (c, env) => {
    const tags = ((c.tags as string[] | null) ?? []).map((t) => `tag="${t}"`).join(' ');
    return { config: c, custom: compileCustomFields(c, env.pluginId), host: c.host as string, port: c.port as number, header: `kong - - [${c.key as string}@41058 ${tags}]` };
  },
  log(kong, conf) {
    applyCustomFields(kong, conf.custom);
    const severity = severityFor(conf.config, kong.response.getStatus());
    if (severity === null) return;
    const pri = USER_FACILITY * 8 + SEVERITY_CODE[severity];
    const stamp = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
    const line = `<${pri}>1 ${stamp} ${HOSTNAME} ${conf.header} ${JSON.stringify(serializeLog(kong))}`;
    sendDatagram('loggly', conf.host, conf.port, line, kong.log);
  },
};
