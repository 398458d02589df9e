// The L4 part of compileConfig: the stream router (tcp, tls, tls_passthrough routes) over the services compiled
// for the same snapshot (compile-service.ts: the same timeouts, retries, upstream runtime and upstream TLS
// options as HTTP services get) and the same SNI table. Runs off the hot path.
import type { RouteRow } from '@tollgate/declarative/snapshot';
import { compileStreamRouter } from '@tollgate/router';
import type { CompiledService, SniTable, StreamConfig, StreamRoute, StreamService } from './types';
import type { UpstreamRuntime } from '../upstream/types';

export interface CompileStreamInput {
  readonly hash: string;
  readonly routes: readonly RouteRow[];
  /** Every enabled service of the snapshot, compiled once for HTTP and stream alike. */
  readonly services: ReadonlyMap<string, CompiledService>;
  readonly upstreams: ReadonlyMap<string, UpstreamRuntime>;
  readonly sni: SniTable;
  /** Warnings of the stream router (unusable endpoints), for the data plane's log. */
  readonly warn?: (message: string) => void;
}

const STREAM_ROUTE_PROTOCOLS = new Set(['tcp', 'tls', 'tls_passthrough']);
const STREAM_SERVICE_PROTOCOLS = new Set(['tcp', 'tls']);

export function compileStreamConfig(input: CompileStreamInput): StreamConfig {
  const services = new Map<string, StreamService>();
  for (const compiled of input.services.values()) {
    if (STREAM_SERVICE_PROTOCOLS.has(compiled.protocol)) services.set(compiled.id, streamService(compiled));
  }

  const routes = new Map<string, StreamRoute>();
  const routable: RouteRow[] = [];
  for (const row of input.routes) {
    if (!(row.protocols ?? []).some((p) => STREAM_ROUTE_PROTOCOLS.has(p))) continue;
    const service = row.service ? (services.get(row.service.id) ?? null) : null;
    // A route of a disabled (or non-stream) service is left out of the router, as Kong does for disabled services.
    if (row.service && !service) continue;
    routes.set(row.id, Object.freeze({
      row,
      id: row.id,
      name: row.name ?? null,
      passthrough: row.protocols.includes('tls_passthrough'),
      service,
      logRef: Object.freeze({ id: row.id, name: row.name ?? null }),
    }));
    routable.push(row);
  }
  const router = compileStreamRouter(routable);
  for (const warning of router.warnings) input.warn?.(warning);

  return Object.freeze({ hash: input.hash, router, routes, services, upstreams: input.upstreams, sni: input.sni });
}

/** The stream view of a compiled tcp/tls service. */
function streamService(s: CompiledService): StreamService {
  const tls = s.tlsOptions;
  return Object.freeze({
    row: s.row,
    id: s.id,
    name: s.row.name ?? null,
    tls: tls !== null,
    host: s.host,
    port: s.port,
    tries: 1 + s.retries,
    connectTimeout: s.connectTimeout,
    readTimeout: s.readTimeout,
    writeTimeout: s.writeTimeout,
    upstream: s.upstream,
    // nginx's proxy_ssl_verify is off unless the service asks for it.
    rejectUnauthorized: tls?.rejectUnauthorized ?? false,
    ca: tls?.ca,
    clientCert: tls?.cert,
    clientKey: tls?.key,
  });
}
