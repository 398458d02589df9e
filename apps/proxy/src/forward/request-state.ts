// What one proxied request carries from routing to the forward step, in one object created once (after routing)
// and handed down instead of a dozen positional arguments: HTTP/1.1, HTTP/2, gRPC and WebSocket upgrades alike.
import type { PluginRun } from '@tollgate/plugins';
import type { HttpMatch } from '@tollgate/router/types';
import type { CompiledConfig, CompiledRoute, CompiledService } from '../compile/types';
import type { ProxyContext } from './context';
import type { ClientRequest, ClientResponse } from './errors';
import type { UpstreamHeaders } from './upstream-headers';

export interface RequestState {
  readonly ctx: ProxyContext;
  /** The configuration the request started under: it keeps it for its whole life. */
  readonly cfg: CompiledConfig;
  readonly req: ClientRequest;
  readonly res: ClientResponse;
  readonly requestId: string;
  readonly startedAt: number;
  readonly route: CompiledRoute;
  /** The route's service; after the access phase, a copy with kong.service.set_retries / set_timeouts applied. */
  service: CompiledService;
  readonly match: HttpMatch;
  /** After the realip rewrite. */
  readonly clientIp: string;
  /** The client's query: '' or '?a=b' (balancer input). */
  readonly rawQuery: string;
  /** Upstream path with the query string; plugins may change it. */
  path: string;
  readonly up: UpstreamHeaders;
  /**
   * How many leading entries of up.list are known to be valid field syntax (the client's fields as llhttp parsed
   * them, ours built from such pieces): the upstream head tests only the rest (what plugins set).
   */
  checkedFields: number;
  hasBody: boolean;
  /** The route's plugin run; null when the route has no plugin. */
  run: PluginRun | null;
  /** A request body the plugins read or replaced: sent instead of the client stream. */
  body: Buffer | null;
}
