import { EntitySchema } from '../types';
import * as t from '../fields/typedefs';
import { routeProtocolCheck, routeRegexCheck, routeSnisCheck } from './route-protocols';

const GRPC = ['grpc', 'grpcs'];

export const routes: EntitySchema = {
  name: 'routes',
  adminPath: '/routes',
  primaryKey: ['id'],
  endpointKey: 'name',
  description: 'Rules that match client requests and send them to a service.',
  fields: [
    ['id', t.uuid],
    ['created_at', t.autoTimestampS],
    ['updated_at', t.autoUpdatedS],
    ['name', { ...t.utf8Name, description: 'Unique route name.', example: 'orders-read' }],
    ['protocols', {
      type: 'set', elements: t.protocol, required: true, len_min: 1, default: ['http', 'https'],
      mutually_exclusive_subsets: [['http', 'https'], ['tcp', 'tls', 'udp'], ['tls_passthrough'], ['grpc', 'grpcs']],
      description: 'Protocols this route accepts; they select which matching fields are allowed.', example: ['http', 'https'],
    }],
    ['methods', { type: 'set', elements: { type: 'string', match: /^[A-Z]+$/ }, description: 'HTTP methods that match (upper case).', example: ['GET', 'POST'] }],
    ['hosts', { type: 'array', elements: t.routeHost, description: 'Host names that match; one leading or trailing `*` label allowed, optional port.', example: ['api.example.com', '*.example.org'] }],
    ['paths', { type: 'array', elements: t.routerPath, description: 'Path prefixes (`/x`) or regexes (`~/x`) that match.', example: ['/orders', '~/orders/\\d+$'] }],
    ['headers', {
      type: 'map',
      keys: { ...t.headerName, custom: (v) => (typeof v === 'string' && v.toLowerCase() === 'host' ? "cannot contain 'host' header, which must be specified in the 'hosts' attribute" : t.headerName.custom!(v)) },
      values: { type: 'array', elements: { type: 'string' } },
      description: 'Request headers that must be present, each with the values that match.', example: { 'x-version': ['2'] },
    }],
    ['https_redirect_status_code', { type: 'integer', required: true, default: 426, one_of: [426, 301, 302, 307, 308], description: 'Status returned when the route matches but the request is not HTTPS and the route requires it.', example: 426 }],
    ['regex_priority', { type: 'integer', default: 0, description: 'Order of evaluation among regex paths; higher first.', example: 0 }],
    ['strip_path', { type: 'boolean', required: true, default: true, description: 'Remove the matched path prefix before proxying.', example: true }],
    ['path_handling', { type: 'string', default: 'v0', one_of: ['v0', 'v1'], description: 'How service path, route path and request path are joined (v1 is deprecated).', example: 'v0' }],
    ['preserve_host', { type: 'boolean', required: true, default: false, description: 'Send the client Host header upstream instead of the service host.', example: false }],
    ['request_buffering', { type: 'boolean', required: true, default: true, description: 'Buffer the request body before proxying.', example: true }],
    ['response_buffering', { type: 'boolean', required: true, default: true, description: 'Buffer the response body before sending it to the client.', example: true }],
    ['snis', { type: 'set', elements: t.sni, description: 'TLS server names that match (https, grpcs, tls, tls_passthrough).', example: ['api.example.com'] }],
    ['sources', { type: 'set', elements: t.ipPortRecord, description: 'Client IP/port pairs that match (stream routes).', example: [{ ip: '10.0.0.0/8', port: null }] }],
    ['destinations', { type: 'set', elements: t.ipPortRecord, description: 'Destination IP/port pairs that match (stream routes).', example: [{ ip: '192.168.1.10', port: 5432 }] }],
    ['tags', t.tags],
    ['service', t.foreign('services', { on_delete: 'restrict', description: 'Service this route forwards to; may be null.', example: { id: '7fca84d6-7d37-4a74-a7b0-93e576089a41' } })],
  ],
  entityChecks: [routeSnisCheck, routeProtocolCheck, routeRegexCheck],
  // grpc routes default to strip_path=false (Kong's grpc subschema)
  prepare: (input, mode) => {
    const protocols = input.protocols;
    if (mode !== 'update' && input.strip_path === undefined && Array.isArray(protocols) && protocols.some((p) => GRPC.includes(p as string))) {
      return { ...input, strip_path: false };
    }
    return input;
  },
};
