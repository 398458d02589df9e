// cors: answers preflights itself (unless preflight_continue) and adds Access-Control-* to every response.
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Origin {
  /** `scheme://host[:port]` without the scheme's default port, or the text itself when it has no host. */
  readonly domain: string;
  readonly host: string;
}

/** A configured origin: a literal compared on its normalised form, or a regex (Kong: any character outside
 *  `[A-Za-z0-9.:/-]`), matched from the start against the request's host, or its domain when the entry has a `:`. */
type Allowed = { readonly regex: RegExp; readonly byHost: boolean } | { readonly domain: string };

interface Conf {
  /** No origins, or only `*`: every response allows `*`. */
  readonly any: boolean;
  /** The single configured origin when it is a literal: announced as is, whatever the request's Origin. */
  readonly single: string | null;
  readonly allowed: readonly Allowed[];
  /** `*` listed among other origins: allowed once a request carries an Origin. */
  readonly star: boolean;
  readonly headers: string | null;
  readonly exposed: string | null;
  readonly methods: string;
  readonly maxAge: string | null;
  readonly credentials: boolean;
  readonly privateNetwork: boolean;
  readonly preflightContinue: boolean;
  readonly allowOriginAbsent: boolean;
}

const LITERAL = /^[A-Za-z0-9.:/-]+$/;
const URL_PARTS = /^(?:([A-Za-z][A-Za-z0-9+.-]*):)?\/\/([^/?#:]*)(?::(\d*))?/;
const ALL_METHODS = 'GET,HEAD,PUT,PATCH,POST,DELETE,OPTIONS,TRACE,CONNECT';

function normalizeOrigin(text: string): Origin {
  const m = URL_PARTS.exec(text);
  if (!m || !m[2]) return { domain: text, host: text };
  const [, scheme, host] = m;
  let port: string | undefined = m[3] || undefined;
  if ((scheme === 'http' && port === '80') || (scheme === 'https' && port === '443')) port = undefined;
  return { domain: `${scheme ? `${scheme}://` : ''}${host}${port ? `:${port}` : ''}`, host };
}

function compileAllowed(entry: string): Allowed {
  if (LITERAL.test(entry)) return { domain: normalizeOrigin(entry).domain };
  let source = entry.endsWith('$') ? entry : `${entry}$`;
  if (source.startsWith('^')) source = source.slice(1);
  return { regex: new RegExp(`^(?:${source})`), byHost: !entry.includes(':') };
}

export const handler: PluginHandler<Conf> = {
  name: 'cors',
  priority: 2000,
  version: KONG_VERSION,
  prepare: (c) => {
    const origins = (c.origins as string[] | null) ?? [];
    const any = origins.length === 0 || (origins.length === 1 && origins[0] === '*');
    const single = origins.length === 1 && LITERAL.test(origins[0]) ? origins[0] : null;
    return {
      any,
      single,
      allowed: origins.filter((o) => o !== '*').map(compileAllowed),
      star: origins.includes('*'),
      headers: (c.headers as string[] | null)?.length ? (c.headers as string[]).join(',') : null,
      exposed: (c.exposed_headers as string[] | null)?.length ? (c.exposed_headers as string[]).join(',') : null,
      methods: (c.methods as string[] | null)?.join(',') ?? ALL_METHODS,
      maxAge: c.max_age == null ? null : String(c.max_age),
      credentials: c.credentials === true,
      privateNetwork: c.private_network === true,
      preflightContinue: c.preflight_continue === true,
      allowOriginAbsent: c.allow_origin_absent !== false,
    };
  },
  access(kong, conf) {
    const req = kong.request;
    const origin = req.getHeader('origin');
    if (req.method !== 'OPTIONS' || !origin || req.getHeader('access-control-request-method') === undefined) return;
    kong.ctx.cors_preflight = true;
    if (conf.preflightContinue) return;
    const headers: Record<string, string> = {};
    const allowAll = configureOrigin(conf, origin, headers);
    configureCredentials(conf, allowAll, origin, headers);
    const allowHeaders = conf.headers ?? req.getHeader('access-control-request-headers');
    if (allowHeaders) headers['access-control-allow-headers'] = allowHeaders;
    headers['access-control-allow-methods'] = conf.methods;
    if (conf.maxAge !== null) headers['access-control-max-age'] = conf.maxAge;
    if (conf.privateNetwork && req.getHeader('access-control-request-private-network') === 'true') {
      headers['access-control-allow-private-network'] = 'true';
    }
    if (headers['access-control-allow-origin'] === '') delete headers['access-control-allow-origin'];
    kong.response.exit(200, undefined, headers);
  },
  header_filter(kong, conf) {
    if (kong.ctx.cors_preflight) return;
    const origin = kong.request.getHeader('origin');
    if (!origin && !conf.allowOriginAbsent) return;
    const headers: Record<string, string> = {};
    const allowAll = configureOrigin(conf, origin, headers);
    configureCredentials(conf, allowAll, origin, headers);
    for (const k of Object.keys(headers)) {
      if (k === 'vary') kong.response.addHeader('vary', headers[k]);
      else if (headers[k] === '') kong.response.clearHeader(k);
      else kong.response.setHeader(k, headers[k]);
    }
    if (conf.exposed !== null) kong.response.setHeader('access-control-expose-headers', conf.exposed);
  },
};

/** Kong's configure_origin: sets (or, with '', clears) Access-Control-Allow-Origin; true when it allowed `*`. */
function configureOrigin(conf: Conf, origin: string | undefined, out: Record<string, string>): boolean {
  if (conf.any) {
    out['access-control-allow-origin'] = '*';
    return true;
  }
  out.vary = 'Origin';
  if (conf.single !== null) {
    out['access-control-allow-origin'] = conf.single;
    return false;
  }
  if (origin) {
    if (conf.star) {
      out['access-control-allow-origin'] = '*';
      return true;
    }
    const req = normalizeOrigin(origin);
    for (const a of conf.allowed) {
      const found = 'regex' in a ? a.regex.test(a.byHost ? req.host : req.domain) : a.domain === req.domain;
      if (found) {
        out['access-control-allow-origin'] = req.domain;
        return false;
      }
    }
  }
  out['access-control-allow-origin'] = '';
  return false;
}

/** Kong's configure_credentials: with a list of origins the flag is always sent; with `*` the origin is echoed. */
function configureCredentials(conf: Conf, allowAll: boolean, origin: string | undefined, out: Record<string, string>): void {
  if (!conf.credentials) return;
  if (!allowAll) {
    out['access-control-allow-credentials'] = 'true';
    return;
  }
  if (origin) {
    out.vary = 'Origin';
    out['access-control-allow-origin'] = origin;
    out['access-control-allow-credentials'] = 'true';
  }
}
