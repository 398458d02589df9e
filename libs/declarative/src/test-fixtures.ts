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
