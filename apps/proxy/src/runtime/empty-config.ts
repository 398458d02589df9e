// The config before the first snapshot arrives: every request is a 404, as an empty Kong data plane answers.
import type { HttpRouter, StreamRouter } from '@tollgate/router/types';
import type { CompiledConfig } from '../compile/types';

const NO_ROUTES: HttpRouter = Object.freeze({ match: () => null, size: 0, matchesHeaders: false });
const NO_STREAM_ROUTES: StreamRouter = Object.freeze({ match: () => null });
const NO_CERTIFICATES = Object.freeze({ size: 0, find: () => null });

export function emptyConfig(): CompiledConfig {
  return Object.freeze({
    hash: '',
    version: 0,
    router: NO_ROUTES,
    routes: new Map(),
    services: new Map(),
    upstreams: new Map(),
    sni: NO_CERTIFICATES,
    stream: Object.freeze({ hash: '', router: NO_STREAM_ROUTES, routes: new Map(), services: new Map(), upstreams: new Map(), sni: NO_CERTIFICATES }),
    compileMs: 0,
  });
}
