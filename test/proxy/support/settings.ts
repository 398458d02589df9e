// Settings and listen entries for data-plane tests: loopback, port 0.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ListenEntry, Settings } from '@tollgate/config/types';

export function listenEntry(over: Partial<ListenEntry> = {}): ListenEntry {
  const ip = over.ip ?? '127.0.0.1';
  return {
    ip,
    port: 0,
    listener: `${ip}:0${over.ssl ? ' ssl' : ''}${over.http2 ? ' http2' : ''}`,
    ssl: false,
    http2: false,
    proxyProtocol: false,
    deferred: false,
    bind: false,
    reuseport: false,
    transparent: false,
    ...over,
  };
}

export function testSettings(over: Partial<Settings> = {}): Settings {
  return {
    prefix: mkdtempSync(join(tmpdir(), 'tollgate-dp-')),
    role: 'traditional',
    proxy_listeners: [listenEntry()],
    ssl_cert: [],
    ssl_cert_key: [],
    trusted_ips: [],
    real_ip_header: 'X-Real-IP',
    real_ip_recursive: false,
    headers: ['server_tokens', 'latency_tokens', 'x-kong-request-id'],
    headers_upstream: ['x-kong-request-id'],
    error_default_type: 'text/plain',
    worker_processes: 1,
    client_max_body_size: 0,
    client_header_timeout: 60000,
    client_max_header_size: 32768,
    client_max_headers: 100,
    upstream_keepalive_pool_size: 512,
    upstream_keepalive_max_requests: 10000,
    upstream_keepalive_idle_timeout: 60,
    ...over,
  } as unknown as Settings;
}
