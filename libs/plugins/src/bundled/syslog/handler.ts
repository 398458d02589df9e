// syslog: Kong's serialized log entry, as JSON, to the local syslog daemon with the severity of the response's
// status class and the configured facility; entries less severe than `log_level` are not sent.
import type { PluginHandler } from '../../types';
import { applyCustomFields, compileCustomFields, type CustomFields } from '../../log/custom-fields';
import { serializeLog } from '../../log/serializer';
import { severityFor } from '../../log/severity';
import { KONG_VERSION } from '../common';
import { sendToLocalSyslog } from './local-syslog';

interface Conf { readonly config: Record<string, unknown>; readonly facility: string; readonly custom: CustomFields | null }

export const handler: PluginHandler<Conf> = {
  name: 'syslog',
  priority: 4,
  version: KONG_VERSION,
  prepare: (c, env) => ({ config: c, facility: c.facility as string, custom: compileCustomFields(c, env.pluginId) }),
  log(kong, conf) {
    applyCustomFields(kong, conf.custom);
    const severity = severityFor(conf.config, kong.response.getStatus());
    if (severity === null) return;
    sendToLocalSyslog(conf.facility, severity, JSON.stringify(serializeLog(kong)), kong.log);
  },
};
