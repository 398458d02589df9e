// Snapshot rows with Kong's defaults, so tests state only what matters.
import { createHash } from 'node:crypto';
import type { RouteRow, ServiceRow, Snapshot, VersionedSnapshot } from '@tollgate/declarative/snapshot';

let seq = 0;
const uuid = (n: number) => `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

export function service(over: Partial<ServiceRow> = {}): ServiceRow {
  const id = over.id ?? uuid(++seq);
  return {
    id,
    name: null,
    protocol: 'http',
    host: '127.0.0.1',
    port: 80,
    path: null,
    retries: 5,
    connect_timeout: 60000,
    write_timeout: 60000,
    read_timeout: 60000,
    enabled: true,
    tls_verify: null,
    tls_verify_depth: null,
    ca_certificates: null,
    client_certificate: null,
    tags: null,
    created_at: 1700000000,
    updated_at: 1700000000,
    ...over,
  };
}

export function route(svc: ServiceRow | null, over: Partial<RouteRow> = {}): RouteRow {
  const id = over.id ?? uuid(++seq);
  return {
    id,
    name: null,
    protocols: ['http', 'https'],
    methods: null,
    hosts: null,
    paths: null,
    headers: null,
    snis: null,
    sources: null,
    destinations: null,
    regex_priority: 0,
    strip_path: true,
    preserve_host: false,
    path_handling: 'v0',
    https_redirect_status_code: 426,
    request_buffering: true,
    response_buffering: true,
    tags: null,
    created_at: 1700000000 + seq,
    updated_at: 1700000000,
    service: svc ? { id: svc.id } : null,
    ...over,
  };
}

export function snapshot(config: Omit<Snapshot, '_format_version'>, version = 1): VersionedSnapshot {
  const full: Snapshot = { _format_version: '3.0', ...config };
  return { hash: createHash('sha256').update(JSON.stringify(full)).digest('hex'), version, config: full };
}
