// Service row -> CompiledService, for HTTP and stream alike: timeouts, host header and upstream TLS options
// precomputed.
import { isDnsName } from '../upstream/dns-lookup';
import type { Row, ServiceRow } from '@tollgate/declarative/snapshot';
import type { UpstreamRuntime } from '../upstream/types';
import { verifyDepthCheck } from './verify-depth';
import type { CompiledService, UpstreamTlsOptions } from './types';
import { trustedCertificates } from '@tollgate/pki';
import { SERVICE_DEFAULTS } from './schema-defaults';

const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, grpc: 80, https: 443, grpcs: 443 };

/**
 * The one builder of the upstream Host header from a host and port (services, balancer peers, set_target; every
 * protocol): the port is appended unless it is the scheme's default (Kong's set_host_header). An IPv6 literal
 * (the only kind of host with a ':') is bracketed.
 */
export function hostHeaderFor(host: string, port: number, protocol: string): string {
  const name = host.charCodeAt(0) !== 91 /* [ */ && host.includes(':') ? `[${host}]` : host;
  return DEFAULT_PORT[protocol] === port ? name : `${name}:${port}`;
}

export function compileService(
  row: ServiceRow,
  upstream: UpstreamRuntime | null,
  byId: { certificates: ReadonlyMap<string, Row>; caCertificates: ReadonlyMap<string, Row> },
): CompiledService {
  // https/grpcs, and tls for stream services (proxy_ssl): the same upstream TLS options
  const tls = row.protocol === 'https' || row.protocol === 'grpcs' || row.protocol === 'tls';
  const tlsOptions = tls ? upstreamTlsOptions(row, byId) : null;
  const connectTimeout = row.connect_timeout ?? SERVICE_DEFAULTS.connect_timeout;
  return Object.freeze({
    row,
    id: row.id,
    protocol: row.protocol,
    tls,
    grpc: row.protocol === 'grpc' || row.protocol === 'grpcs',
    host: row.host,
    port: row.port,
    path: row.path ?? null,
    retries: row.retries ?? SERVICE_DEFAULTS.retries,
    connectTimeout,
    writeTimeout: row.write_timeout ?? SERVICE_DEFAULTS.write_timeout,
    readTimeout: row.read_timeout ?? SERVICE_DEFAULTS.read_timeout,
    defaultHostHeader: hostHeaderFor(row.host, row.port, row.protocol),
    upstream,
    directPeer: upstream ? null : Object.freeze({ host: row.host, port: row.port, ip: row.host, named: isDnsName(row.host) }),
    tlsOptions,
    poolKey: upstreamPoolKey(row.host, row.port, connectTimeout, row.host, tlsOptions),
  });
}

/**
 * The keep-alive pool a connection belongs to: ip|port|connect timeout[|sni|tls]. Connections differ by what they
 * were opened with, so a request that connects with other options (kong.service.set_timeouts) gets other ones.
 */
export function upstreamPoolKey(host: string, port: number, connectTimeout: number, sniHost: string, tls: UpstreamTlsOptions | null): string {
  return tls === null ? `${host}|${port}|${connectTimeout}` : `${host}|${port}|${connectTimeout}|${sniHost}|${tls.poolKey}`;
}

/** The service as one request sees it after kong.service.set_retries / set_timeouts. */
export function withBalancerOverrides(svc: CompiledService, overrides: Partial<Pick<CompiledService, 'retries' | 'connectTimeout' | 'writeTimeout' | 'readTimeout'>>): CompiledService {
  const connectTimeout = overrides.connectTimeout ?? svc.connectTimeout;
  return { ...svc, ...overrides, poolKey: upstreamPoolKey(svc.host, svc.port, connectTimeout, svc.host, svc.tlsOptions) };
}

/** The TLS options for a service without TLS fields (Kong's schema allows none on http/grpc services). */
let plainServiceTls: { readonly trusted: readonly string[] | undefined; readonly options: UpstreamTlsOptions } | null = null;
const NO_ROWS = { certificates: new Map<string, Row>(), caCertificates: new Map<string, Row>() };

/**
 * The upstream TLS options of a request to `svc` that goes over TLS: the service's own, or, when a plugin sends a
 * plain service's request over https (kong.service.request.set_scheme, ai-proxy's provider URL), those of a service
 * without TLS fields (no verification unless configured, lua_ssl_trusted_certificate as the CAs).
 */
export function tlsOptionsOf(svc: CompiledService): UpstreamTlsOptions {
  if (svc.tlsOptions !== null) return svc.tlsOptions;
  const trusted = trustedCertificates();
  if (plainServiceTls === null || plainServiceTls.trusted !== trusted) {
    plainServiceTls = { trusted, options: upstreamTlsOptions({} as ServiceRow, NO_ROWS) };
  }
  return plainServiceTls.options;
}

function upstreamTlsOptions(
  row: ServiceRow,
  byId: { certificates: ReadonlyMap<string, Row>; caCertificates: ReadonlyMap<string, Row> },
): UpstreamTlsOptions {
  const ca = (row.ca_certificates ?? [])
    .map((id) => byId.caCertificates.get(id)?.cert)
    .filter((c): c is string => typeof c === 'string');
  const client = row.client_certificate ? byId.certificates.get(row.client_certificate.id) : undefined;
  // Kong's pool key for https: ip|port|sni|tls_verify|tls_verify_depth|ca_certs|client_cert_id (§2.5).
  const poolKey = `${row.tls_verify === true}|${row.tls_verify_depth ?? ''}|${(row.ca_certificates ?? []).join(',')}|${
    row.client_certificate?.id ?? ''
  }`;
  const verify = row.tls_verify === true;
  return Object.freeze({
    rejectUnauthorized: verify,
    // the depth only means something for a chain that is verified
    checkServerIdentity: verify && typeof row.tls_verify_depth === 'number' ? verifyDepthCheck(row.tls_verify_depth) : undefined,
    ca: ca.length > 0 ? ca : (trustedCertificates() as string[] | undefined),
    cert: typeof client?.cert === 'string' ? client.cert : undefined,
    key: typeof client?.key === 'string' ? client.key : undefined,
    poolKey,
  });
}
