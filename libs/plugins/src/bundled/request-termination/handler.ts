// request-termination: answers every request (or those carrying `trigger`) itself, with a fixed response.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf {
  readonly status: number;
  readonly body: string | null;
  readonly contentType: string;
  readonly message: string | null;
  readonly echo: boolean;
  readonly trigger: string | null;
}

const DEFAULT_MESSAGES: Record<number, string> = {
  400: 'Bad request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not found', 405: 'Method not allowed',
  500: 'An unexpected error occurred', 502: 'Bad Gateway', 503: 'Service unavailable',
};

export const handler: PluginHandler<Conf> = {
  name: 'request-termination',
  priority: 2,
  version: KONG_VERSION,
  prepare: (c) => ({
    status: c.status_code as number,
    body: (c.body as string | null) ?? null,
    contentType: (c.content_type as string | null) ?? 'application/json; charset=utf-8',
    message: (c.message as string | null) ?? null,
    echo: c.echo === true,
    trigger: ((c.trigger as string | null) ?? null)?.toLowerCase() ?? null,
  }),
  access(kong, conf) {
    if (conf.trigger !== null && kong.request.getHeader(conf.trigger) === undefined && !kong.request.getQuery().has(conf.trigger)) return;
    if (conf.echo) return kong.response.exit(conf.status, echoBody(kong, conf));
    if (conf.body !== null) return kong.response.exit(conf.status, conf.body, { 'content-type': conf.contentType });
    const message = conf.message ?? DEFAULT_MESSAGES[conf.status];
    kong.response.exit(conf.status, message === undefined ? undefined : { message });
  },
};

function echoBody(kong: PluginContext, conf: Conf) {
  return {
    message: conf.message ?? DEFAULT_MESSAGES[conf.status],
    request: {
      method: kong.request.method, path: kong.request.rawPath, headers: kong.request.headers, host: kong.request.host,
      query: Object.fromEntries(kong.request.getQuery()), scheme: kong.request.scheme,
    },
    matched_route: kong.route?.row ?? null,
    matched_service: kong.service?.row ?? null,
  };
}
