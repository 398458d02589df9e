// Snapshot -> frozen StreamConfig: the stream router (tcp, tls, tls_passthrough routes), tcp/tls services and the
// upstream runtimes they balance over, plus the SNI certificate table for TLS termination. Runs off the hot path.
// Upstream runtimes can be shared with the HTTP config (pass `upstreams`) so one set of health checkers runs.
import type { Row, RouteRow, ServiceRow, VersionedSnapshot } from '@tollgate/declarative/snapshot';
import { compileStreamRouter } from '@tollgate/router';
import { compileSniTable } from '../compile/sni-table';
import type { SniTable } from '../compile/types';
import { createUpstreamRuntime } from '../upstream';
import type { DnsCache, UpstreamLog, UpstreamRuntime } from '../upstream';
import type { StreamConfig, StreamRoute, StreamService } from './types';

export interface CompileStreamOptions {
  /** The config this one replaces: unchanged upstreams are carried over (health state and timers survive). */
  readonly previous?: StreamConfig | null;
  /** Upstream runtimes already built for this snapshot (the HTTP CompiledConfig's); when given none are created. */
  readonly upstreams?: ReadonlyMap<string, UpstreamRuntime>;
  /** The HTTP config's SNI table for the same snapshot, to avoid building secure contexts twice. */
  readonly sni?: SniTable;
  readonly dns?: DnsCache;
  readonly log?: UpstreamLog;
  /** Warnings of the stream router (unusable endpoints), for the data plane's log. */
  readonly warn?: (message: string) => void;
}

export interface CompileStreamResult {
  readonly config: StreamConfig;
  /** Runtimes of `previous` that were not carried over: stop them after the swap (only when this module built them). */
  readonly retired: readonly UpstreamRuntime[];
}

const STREAM_ROUTE_PROTOCOLS = new Set(['tcp', 'tls', 'tls_passthrough']);
const STREAM_SERVICE_PROTOCOLS = new Set(['tcp', 'tls']);
const signatures = new WeakMap<UpstreamRuntime, string>();

export function compileStreamConfig(snapshot: VersionedSnapshot, opts: CompileStreamOptions = {}): CompileStreamResult {
  const cfg = snapshot.config;
  const { upstreams, retired } = opts.upstreams
    ? { upstreams: opts.upstreams, retired: [] as UpstreamRuntime[] }
    : buildUpstreams(cfg.upstreams ?? [], cfg.targets ?? [], opts);
  const upstreamsByName = new Map<string, UpstreamRuntime>();
  for (const row of cfg.upstreams ?? []) {
    const runtime = upstreams.get(row.id);
    if (runtime && typeof row.name === 'string') upstreamsByName.set(row.name, runtime);
  }
  const certificates = new Map((cfg.certificates ?? []).map((c) => [c.id, c] as const));
  const caCertificates = new Map((cfg.ca_certificates ?? []).map((c) => [c.id, c] as const));

  const services = new Map<string, StreamService>();
  for (const row of (cfg.services ?? []) as ServiceRow[]) {
    if (row.enabled === false || !STREAM_SERVICE_PROTOCOLS.has(row.protocol)) continue;
    services.set(row.id, compileStreamService(row, upstreamsByName.get(row.host) ?? null, certificates, caCertificates));
  }

  const routes = new Map<string, StreamRoute>();
  const routable: RouteRow[] = [];
  for (const row of (cfg.routes ?? []) as RouteRow[]) {
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
  for (const warning of router.warnings) opts.warn?.(warning);

  const config: StreamConfig = Object.freeze({
    hash: snapshot.hash,
    router,
    routes,
    services,
    upstreams,
    sni: opts.sni ?? compileSniTable(cfg.certificates, cfg.snis),
  });
  return { config, retired };
}

function compileStreamService(
  row: ServiceRow,
  upstream: UpstreamRuntime | null,
  certificates: ReadonlyMap<string, Row>,
  caCertificates: ReadonlyMap<string, Row>,
): StreamService {
  const tls = row.protocol === 'tls';
  const ca = (row.ca_certificates ?? []).map((id) => caCertificates.get(id)?.cert).filter((c): c is string => typeof c === 'string');
  const client = row.client_certificate ? certificates.get(row.client_certificate.id) : undefined;
  return Object.freeze({
    row,
    id: row.id,
    name: row.name ?? null,
    tls,
    host: row.host,
    port: row.port,
    tries: 1 + (row.retries ?? 5),
    connectTimeout: row.connect_timeout ?? 60000,
    readTimeout: row.read_timeout ?? 60000,
    writeTimeout: row.write_timeout ?? 60000,
    upstream,
    // nginx's proxy_ssl_verify is off unless the service asks for it.
    rejectUnauthorized: tls && row.tls_verify === true,
    ca: tls && ca.length > 0 ? ca : undefined,
    clientCert: tls && typeof client?.cert === 'string' ? client.cert : undefined,
    clientKey: tls && typeof client?.key === 'string' ? client.key : undefined,
  });
}

function buildUpstreams(
  upstreamRows: readonly Row[],
  targetRows: readonly Row[],
  opts: CompileStreamOptions,
): { upstreams: Map<string, UpstreamRuntime>; retired: UpstreamRuntime[] } {
  const upstreams = new Map<string, UpstreamRuntime>();
  const previous = opts.previous?.upstreams;
  const targetsByUpstream = new Map<string, Row[]>();
  for (const t of targetRows) {
    const id = (t.upstream as { id?: string } | null)?.id;
    if (!id) continue;
    let list = targetsByUpstream.get(id);
    if (!list) targetsByUpstream.set(id, (list = []));
    list.push(t);
  }
  for (const row of upstreamRows) {
    const targets = targetsByUpstream.get(row.id) ?? [];
    const signature = JSON.stringify([row, targets]);
    const old = previous?.get(row.id) ?? null;
    if (old && signatures.get(old) === signature) {
      upstreams.set(row.id, old);
      continue;
    }
    const runtime = createUpstreamRuntime(row, targets, { dns: opts.dns, log: opts.log, previous: old });
    runtime.start();
    signatures.set(runtime, signature);
    upstreams.set(row.id, runtime);
  }
  const retired: UpstreamRuntime[] = [];
  if (previous) for (const [id, runtime] of previous) if (upstreams.get(id) !== runtime) retired.push(runtime);
  return { upstreams, retired };
}
