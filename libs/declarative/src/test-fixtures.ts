// Shared by the specs: plugin config schemas for the plugins the examples use (libs/plugins registers the real
// ones), and Kong's §8.1 example file.
import type { FieldList } from '@tollgate/schema';

export const TEST_PLUGIN_SCHEMAS: ReadonlyMap<string, FieldList> = new Map<string, FieldList>([
  ['key-auth', [
    ['key_names', { type: 'array', elements: { type: 'string' }, default: ['apikey'] }],
    ['hide_credentials', { type: 'boolean', default: false }],
  ]],
  ['rate-limiting', [
    ['minute', { type: 'number', gt: 0 }],
    ['policy', { type: 'string', default: 'local', one_of: ['local', 'cluster', 'redis'] }],
  ]],
  ['prometheus', [['per_consumer', { type: 'boolean', default: false }]]],
  ['acl', [['allow', { type: 'array', elements: { type: 'string' } }]]],
]);

export function kongExample(cert: string, key: string): string {
  const indent = (pem: string) => pem.trim().split('\n').map((line) => '    ' + line).join('\n');
  return `_format_version: "3.0"
_transform: true
services:
- name: example-service
  url: http://httpbin.konghq.com
  tags: [demo]
  routes:
  - name: example-route
    paths: [/mock]
    plugins:
    - name: key-auth
  plugins:
  - name: rate-limiting
    config: {minute: 5, policy: local}
consumers:
- username: alice
  keyauth_credentials:
  - key: alice-key
  basicauth_credentials:
  - username: alice
    password: s3cret
  acls:
  - group: admins
upstreams:
- name: my-upstream
  algorithm: round-robin
  targets:
  - target: 10.0.0.1:8080
    weight: 100
certificates:
- cert: |
${indent(cert)}
  key: |
${indent(key)}
  snis:
  - name: example.test
plugins:
- name: prometheus
`;
}

// What `deck gateway dump` writes for a Kong 3.x database: no ids or timestamps, every field, children nested.
export const DECK_DUMP = `_format_version: "3.0"
_info:
  defaults: {}
  select_tags:
  - orders-team
consumers:
- acls:
  - group: admins
  keyauth_credentials:
  - key: alice-key
  username: alice
plugins:
- config:
    per_consumer: false
  enabled: true
  name: prometheus
  protocols:
  - grpc
  - grpcs
  - http
  - https
services:
- connect_timeout: 60000
  enabled: true
  host: orders.internal
  name: orders
  port: 80
  protocol: http
  read_timeout: 60000
  retries: 5
  routes:
  - https_redirect_status_code: 426
    name: orders-route
    path_handling: v0
    paths:
    - /orders
    plugins:
    - config:
        key_names:
        - apikey
        hide_credentials: false
      enabled: true
      name: key-auth
      protocols:
      - grpc
      - grpcs
      - http
      - https
    preserve_host: false
    protocols:
    - http
    - https
    regex_priority: 0
    request_buffering: true
    response_buffering: true
    strip_path: true
  plugins:
  - config:
      minute: 5
      policy: local
    enabled: true
    name: rate-limiting
    protocols:
    - grpc
    - grpcs
    - http
    - https
  write_timeout: 60000
upstreams:
- algorithm: round-robin
  hash_fallback: none
  hash_on: none
  hash_on_cookie_path: /
  healthchecks:
    active:
      concurrency: 10
      healthy:
        http_statuses:
        - 200
        - 302
        interval: 0
        successes: 0
      http_path: /
      https_verify_certificate: true
      timeout: 1
      type: http
      unhealthy:
        http_failures: 0
        http_statuses:
        - 429
        - 404
        - 500
        - 501
        - 502
        - 503
        - 504
        - 505
        interval: 0
        tcp_failures: 0
        timeouts: 0
    passive:
      healthy:
        http_statuses:
        - 200
        - 201
        - 202
        - 203
        - 204
        - 205
        - 206
        - 207
        - 208
        - 226
        - 300
        - 301
        - 302
        - 303
        - 304
        - 305
        - 306
        - 307
        - 308
        successes: 0
      type: http
      unhealthy:
        http_failures: 0
        http_statuses:
        - 429
        - 500
        - 503
        tcp_failures: 0
        timeouts: 0
    threshold: 0
  name: orders.internal
  slots: 10000
  targets:
  - target: 10.0.0.1:8080
    weight: 100
  use_srv_name: false
`;
