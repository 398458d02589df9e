import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';
import { conditional, mustBeNull } from './checks';
import { parseServiceUrl } from './service-url';

const NO_PATH = ['tcp', 'tls', 'udp', 'grpc', 'grpcs'];
const TLS_ONLY = ['https', 'tls'];
const inList = (list: readonly string[]) => (value: unknown) => list.includes(value as string);
const notIn = (list: readonly string[]) => (value: unknown) => !list.includes(value as string);

export const services: EntitySchema = {
  name: 'services',
  adminPath: '/services',
  primaryKey: ['id'],
  endpointKey: 'name',
  description: 'An upstream API or microservice that routes forward traffic to.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['name', { ...t.utf8Name, description: 'Unique service name.', example: 'orders-api' }],
    ['retries', { type: 'integer', default: 5, between: [0, 32767], description: 'How many times to retry a failed proxy attempt.', example: 5 }],
    ['protocol', { ...t.protocol, required: true, default: 'http', description: 'Protocol used to talk to the upstream.', example: 'https' }],
    ['host', { ...t.host, required: true, description: 'Upstream host name, IP address or upstream entity name (no port).', example: 'orders.internal' }],
    ['port', { ...t.port, required: true, default: 80, description: 'Upstream port.', example: 443 }],
    ['path', { ...t.path, description: 'Path prefixed to requests sent upstream.', example: '/v1' }],
    ['connect_timeout', { ...t.timeout, description: 'Milliseconds to wait for a connection to the upstream.', example: 60000 }],
    ['write_timeout', { ...t.timeout, description: 'Milliseconds allowed between two successive writes to the upstream.', example: 60000 }],
    ['read_timeout', { ...t.timeout, description: 'Milliseconds allowed between two successive reads from the upstream.', example: 60000 }],
    ['tags', t.tags],
    ['client_certificate', t.foreign('certificates', { on_delete: 'restrict', description: 'Certificate presented to the upstream for mutual TLS.', example: { id: 'ee9ad3ff-d1e5-4f5f-8b8c-b0a3a5f6c2b1' } })],
    ['tls_verify', { type: 'boolean', description: 'Verify the upstream TLS certificate; null uses the global proxy_ssl_verify.', example: true }],
    ['tls_verify_depth', { type: 'integer', between: [0, 64], description: 'Maximum depth of the upstream certificate chain to verify; null uses the global setting.', example: 4 }],
    ['ca_certificates', { type: 'array', elements: { type: 'string', uuid: true }, description: 'Ids of CA certificates trusted when verifying the upstream certificate.', example: ['4e3ad2e4-0bc4-4638-8e34-c84a417ba39b'] }],
    ['enabled', { type: 'boolean', required: true, default: true, description: 'When false, routes to this service answer as if they did not exist.', example: true }],
  ],
  shorthands: [
    {
      name: 'url',
      field: { type: 'string', description: 'Shorthand for protocol, host, port and path at once.', example: 'https://orders.internal:8443/v1' },
      expand: (value) => parseServiceUrl(value as string),
    },
  ],
  entityChecks: [
    conditional({ ifField: 'protocol', when: inList(NO_PATH), thenField: 'path', then: mustBeNull }),
    ...['client_certificate', 'tls_verify', 'tls_verify_depth', 'ca_certificates'].map((field) =>
      conditional({ ifField: 'protocol', when: notIn(TLS_ONLY), thenField: field, then: mustBeNull }),
    ),
  ],
};
