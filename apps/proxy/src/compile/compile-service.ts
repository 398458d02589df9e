// Service row -> CompiledService: timeouts, host header and upstream TLS options precomputed.
import { isIP } from 'node:net';
import type { Row, ServiceRow } from '@tollgate/declarative/snapshot';
import type { UpstreamRuntime } from '../upstream/types';
import { verifyDepthCheck } from './verify-depth';
import type { CompiledService, UpstreamTlsOptions } from './types';

const DEFAULT_PORT: Readonly<Record<string, number>> = { http: 80, grpc: 80, https: 443, grpcs: 443 };

/** Host header for host:port, omitting the port when it is the protocol's default (Kong's set_host_header). */
export function hostHeaderFor(host: string, port: number, protocol: string): string {
  const name = isIP(host) === 6 ? `[${host}]` : host;
  return DEFAULT_PORT[protocol] === port ? name : `${name}:${port}`;
}

export function compileService(
  row: ServiceRow,
  upstream: UpstreamRuntime | null,
  byId: { certificates: ReadonlyMap<string, Row>; caCertificates: ReadonlyMap<string, Row> },
): CompiledService {
  const tls = row.protocol === 'https' || row.protocol === 'grpcs';
  const tlsOptions = tls ? upstreamTlsOptions(row, byId) : null;
  const connectTimeout = row.connect_timeout ?? 60000;
  return Object.freeze({
    row,
    id: row.id,
    protocol: row.protocol,
    tls,
    grpc: row.protocol === 'grpc' || row.protocol === 'grpcs',
    host: row.host,
    port: row.port,
    path: row.path ?? null,
    retries: row.retries ?? 5,
    connectTimeout,
    writeTimeout: row.write_timeout ?? 60000,
    readTimeout: row.read_timeout ?? 60000,
    defaultHostHeader: hostHeaderFor(row.host, row.port, row.protocol),
    upstream,
    directPeer: upstream ? null : Object.freeze({ host: row.host, port: row.port, ip: row.host }),
    tlsOptions,
    // Same shape as the key built per attempt for balancer peers (ip|port|connect timeout[|sni|tls]).
    poolKey: tlsOptions === null ? `${row.host}|${row.port}|${connectTimeout}` : `${row.host}|${row.port}|${connectTimeout}|${row.host}|${tlsOptions.poolKey}`,
  });
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
    ca: ca.length > 0 ? ca : undefined,
    cert: typeof client?.cert === 'string' ? client.cert : undefined,
    key: typeof client?.key === 'string' ? client.key : undefined,
    poolKey,
  });
}
