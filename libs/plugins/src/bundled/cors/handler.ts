// cors: answers preflights itself (unless preflight_continue) and adds Access-Control-* to every response.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf {
  readonly any: boolean;
  readonly exact: ReadonlySet<string>;
  readonly patterns: readonly RegExp[];
  readonly headers: string | null;
  readonly exposed: string | null;
  readonly methods: string;
  readonly maxAge: string | null;
  readonly credentials: boolean;
  readonly privateNetwork: boolean;
  readonly preflightContinue: boolean;
}

const REGEX_CHARS = /[\^$*+?()[\]{}|\\]/;

export const handler: PluginHandler<Conf> = {
  name: 'cors',
  priority: 2000,
  version: KONG_VERSION,
  prepare: (c) => {
    const origins = (c.origins as string[] | null) ?? [];
    const exact = new Set<string>();
    const patterns: RegExp[] = [];
    for (const o of origins) {
      if (o === '*') continue;
      // Kong treats an origin containing regex characters as a pattern anchored on both ends
      if (REGEX_CHARS.test(o.replace(/\./g, ''))) patterns.push(new RegExp(`^${o}$`));
      else exact.add(o.toLowerCase());
    }
    return {
      any: origins.length === 0 || origins.includes('*'),
      exact,
      patterns,
      headers: (c.headers as string[] | null)?.join(',') ?? null,
      exposed: (c.exposed_headers as string[] | null)?.join(',') ?? null,
      methods: ((c.methods as string[] | null) ?? []).join(','),
      maxAge: c.max_age == null ? null : String(c.max_age),
      credentials: c.credentials === true,
      privateNetwork: c.private_network === true,
      preflightContinue: c.preflight_continue === true,
    };
  },
  access(kong, conf) {
    const req = kong.request;
    if (req.method !== 'OPTIONS' || req.getHeader('access-control-request-method') === undefined) return;
    if (conf.preflightContinue) return;
    const headers: Record<string, string> = {};
    allowOrigin(kong, conf, headers);
    headers['access-control-allow-methods'] = conf.methods;
    const allowHeaders = conf.headers ?? req.getHeader('access-control-request-headers');
    if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders;
    if (conf.maxAge !== null) headers['access-control-max-age'] = conf.maxAge;
    if (conf.privateNetwork && req.getHeader('access-control-request-private-network') === 'true') {
      headers['access-control-allow-private-network'] = 'true';
    }
    kong.ctx.cors_preflight = true;
    kong.response.exit(200, undefined, headers);
  },
  header_filter(kong, conf) {
    if (kong.ctx.cors_preflight) return;
    const headers: Record<string, string> = {};
    allowOrigin(kong, conf, headers);
    for (const k of Object.keys(headers)) kong.response.setHeader(k, headers[k]);
    if (conf.exposed !== null) kong.response.setHeader('access-control-expose-headers', conf.exposed);
  },
};

function allowOrigin(kong: PluginContext, conf: Conf, out: Record<string, string>): void {
  const origin = kong.request.getHeader('origin');
  if (conf.any && !(conf.credentials && origin)) {
    out['access-control-allow-origin'] = '*';
  } else if (origin !== undefined && (conf.any || conf.exact.has(origin.toLowerCase()) || conf.patterns.some((p) => p.test(origin)))) {
    out['access-control-allow-origin'] = origin;
    out.vary = 'Origin';
  } else if (origin === undefined && conf.exact.size === 1 && conf.patterns.length === 0) {
    // a single configured origin is announced even to clients that sent none
    out['access-control-allow-origin'] = conf.exact.values().next().value!;
    out.vary = 'Origin';
  }
  if (conf.credentials && out['access-control-allow-origin'] !== undefined) out['access-control-allow-credentials'] = 'true';
}
