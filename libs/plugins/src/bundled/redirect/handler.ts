// redirect (Kong 3.9+): answers every request with a redirect to `location`, optionally carrying the request's
// own path and query string over to it (the location's scheme, host, port and fragment are kept).
import { normalizePath } from '@tollgate/router';
import type { PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf {
  readonly status: number;
  readonly location: string;
  /** The parsed location when the incoming path replaces its path; null when `location` is sent as is. */
  readonly base: URL | null;
}

export const handler: PluginHandler<Conf> = {
  name: 'redirect',
  // after rate limiting and the transformations, before anything that would call the upstream
  priority: 779,
  version: KONG_VERSION,
  prepare: (c) => ({
    status: c.status_code as number,
    location: c.location as string,
    base: c.keep_incoming_path === true ? new URL(c.location as string) : null,
  }),
  access(kong, conf) {
    let location = conf.location;
    if (conf.base !== null) {
      // WHATWG setters, as Kong's ada: an empty query removes the location's own one
      const u = new URL(conf.base);
      // Kong's kong.request.get_path(): the normalized path
      u.pathname = normalizePath(kong.request.rawPath) ?? kong.request.rawPath;
      u.search = kong.request.rawQuery;
      location = u.href;
    }
    kong.response.exit(conf.status, 'redirecting', { location });
  },
};
