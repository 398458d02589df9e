import { typedefs, type FieldList } from '@tollgate/schema';

const METHODS = ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS', 'TRACE', 'CONNECT'];

export const schema: FieldList = [
  ['origins', { type: 'array', elements: typedefs.headerValue, description: 'Allowed origins: exact, "*" or a regex.' }],
  ['headers', { type: 'array', elements: typedefs.headerValue }],
  ['exposed_headers', { type: 'array', elements: typedefs.headerValue }],
  ['methods', { type: 'array', default: METHODS, elements: { type: 'string', one_of: METHODS } }],
  ['max_age', { type: 'number' }],
  ['credentials', { type: 'boolean', required: true, default: false }],
  ['private_network', { type: 'boolean', required: true, default: false }],
  ['preflight_continue', { type: 'boolean', required: true, default: false }],
  ['allow_origin_absent', { type: 'boolean', required: true, default: true }],
];

/** Kong's `consumer = typedefs.no_consumer`: this plugin is never scoped to a consumer. */
export const noConsumer = true;
