// correlation-id: gives every request an id header (kept when the client sent one), optionally echoed back.
import { randomUUID } from 'node:crypto';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf { readonly header: string; readonly generate: (kong: PluginContext) => string; readonly echo: boolean }

// uuid#counter: one uuid per process plus a counter, as Kong's per-worker seed
const processUuid = randomUUID();
let counter = 0;

const GENERATORS: Record<string, (kong: PluginContext) => string> = {
  uuid: () => randomUUID(),
  'uuid#counter': () => `${processUuid}#${++counter}`,
  tracker: (kong) => `${kong.client.ip}-${Date.now()}-${++counter}`,
};

export const handler: PluginHandler<Conf> = {
  name: 'correlation-id',
  priority: 100001,
  version: KONG_VERSION,
  prepare: (c) => ({ header: ((c.header_name as string | null) ?? 'Kong-Request-ID').toLowerCase(), generate: GENERATORS[c.generator as string], echo: c.echo_downstream === true }),
  access(kong, conf) {
    let id = kong.request.getHeader(conf.header);
    if (id === undefined || id === '') {
      id = conf.generate(kong);
      kong.request.setHeader(conf.header, id);
    }
    kong.ctx.correlation_id = id;
  },
  header_filter(kong, conf) {
    if (!conf.echo) return;
    const id = kong.ctx.correlation_id as string | undefined;
    if (id !== undefined) kong.response.setHeader(conf.header, id);
  },
};
