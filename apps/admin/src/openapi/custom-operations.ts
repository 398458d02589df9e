// Operations of the non-CRUD endpoints (custom/), keyed by Kong path and method.

import { NODE_OPERATIONS } from './node-operations';
import { RELEASE_OPERATIONS } from './release-operations';
import { ROLLOUT_OPERATIONS } from './rollout-operations';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const jsonBody = (schema: unknown) => ({ 'application/json': { schema } });
const ok = (description: string, schema: unknown) => ({ description, content: jsonBody(schema) });
const objectSchema = (properties: Record<string, unknown>, description?: string) => ({ type: 'object', properties, ...(description ? { description } : {}) });
const stringParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });

const TAG_ROW = objectSchema({
  entity_name: { type: 'string', example: 'services' },
  entity_id: { type: 'string', format: 'uuid' },
  tag: { type: 'string', example: 'production' },
});
const TAG_PAGE = objectSchema({
  data: { type: 'array', items: TAG_ROW },
  offset: { type: 'string' },
  next: { type: 'string', nullable: true },
});
const PAGING = [
  { name: 'size', in: 'query', required: false, description: 'Page size, 1 to 1000', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
  { name: 'offset', in: 'query', required: false, description: 'Token from the previous page', schema: { type: 'string' } },
];
const MESSAGE = objectSchema({ message: { type: 'string' } });
const ACME_CERTIFICATE = objectSchema({
  digest: { type: 'string', description: 'SHA-1 fingerprint, colon-separated hex' },
  host: { type: 'string', example: 'example.com' },
  issuer_cn: { type: 'string' },
  not_before: { type: 'string', example: '2026-01-01 00:00:00' },
  not_after: { type: 'string', example: '2026-04-01 00:00:00' },
  valid: { type: 'boolean' },
  serial_number: { type: 'string' },
  pubkey_type: { type: 'string', example: 'rsaEncryption' },
});
const VALIDATION_OK = objectSchema({ message: { type: 'string', example: 'schema validation successful' } });

// proxy-cache's endpoints (Kong's plugin api.lua): 204 and 404 carry no body
const CACHE_ENTRY = objectSchema({
  status: { type: 'integer' }, headers: { type: 'object', additionalProperties: true }, body: { type: 'string' }, body_len: { type: 'integer' },
  timestamp: { type: 'integer' }, ttl: { type: 'integer' }, version: { type: 'integer' }, req_body: { type: 'string' },
}, 'A cached response, as stored');
const CACHE_KEY = stringParam('cache_key', 'The X-Cache-Key of the entry');
const PLUGIN_ID = stringParam('plugin_id', 'Id of a proxy-cache plugin');
const PURGED = { description: 'Purged (no body)' };
const ABSENT = { description: 'No such entry or plugin', content: jsonBody(MESSAGE) };
const PROXY_CACHE_OPERATIONS = {
  '/proxy-cache': {
    delete: { summary: 'Purge every proxy-cache entry of the node', tags: ['proxy-cache'], responses: { '204': PURGED } },
  },
  '/proxy-cache/{cache_key}': {
    get: { summary: 'A cached response, from any proxy-cache plugin', tags: ['proxy-cache'], parameters: [CACHE_KEY], responses: { '200': ok('The entry', CACHE_ENTRY), '404': ABSENT } },
    delete: { summary: 'Purge one cached response', tags: ['proxy-cache'], parameters: [CACHE_KEY], responses: { '204': PURGED, '404': ABSENT } },
  },
  '/proxy-cache/{plugin_id}/caches/{cache_key}': {
    get: { summary: "A cached response of one plugin's cache", tags: ['proxy-cache'], parameters: [PLUGIN_ID, CACHE_KEY], responses: { '200': ok('The entry', CACHE_ENTRY), '404': ABSENT } },
    delete: { summary: "Purge one cached response of one plugin's cache", tags: ['proxy-cache'], parameters: [PLUGIN_ID, CACHE_KEY], responses: { '204': PURGED, '404': ABSENT } },
  },
};

export const CUSTOM_OPERATIONS: Record<string, Record<string, Record<string, unknown>>> = {
  '/': {
    get: {
      summary: 'Node information',
      tags: ['information'],
      responses: {
        '200': ok('Version, plugins and configuration of this node (secrets masked)', objectSchema({
          tagline: { type: 'string', example: 'Welcome to kong' },
          version: { type: 'string', example: '3.10.0', description: 'Kong release whose Admin API this server implements' },
          edition: { type: 'string', example: 'community' },
          tollgate_version: { type: 'string' },
          hostname: { type: 'string' },
          node_id: { type: 'string', format: 'uuid' },
          lua_version: { type: 'string' },
          timers: objectSchema({ running: { type: 'integer' }, pending: { type: 'integer' } }),
          plugins: objectSchema({
            available_on_server: { type: 'object', additionalProperties: objectSchema({ version: { type: 'string' }, priority: { type: 'integer' } }) },
            enabled_in_cluster: { type: 'array', items: { type: 'string' } },
          }),
          configuration: { type: 'object', additionalProperties: true },
          pids: objectSchema({ master: { type: 'integer' }, workers: { type: 'array', items: { type: 'integer' } } }),
        })),
      },
    },
  },
  '/status': {
    get: {
      summary: 'Health of this node',
      tags: ['information'],
      parameters: [
        { name: 'unit', in: 'query', required: false, schema: { type: 'string', enum: ['k', 'K', 'm', 'M', 'g', 'G'], default: 'm' } },
        { name: 'scale', in: 'query', required: false, schema: { type: 'integer', default: 2 } },
      ],
      responses: {
        '200': ok('Database reachability, connection counters, memory', objectSchema({
          database: objectSchema({ reachable: { type: 'boolean' } }),
          configuration_hash: { type: 'string', description: 'DB-less only' },
          server: { type: 'object', additionalProperties: { type: 'integer' } },
          memory: { type: 'object', additionalProperties: true },
        })),
        '400': { $ref: '#/components/responses/BadRequest' },
      },
    },
  },
  '/config': {
    get: {
      summary: 'The loaded declarative configuration (DB-less only)',
      tags: ['information'],
      responses: {
        '200': ok('The configuration as YAML, every field included', objectSchema({ config: { type: 'string', description: 'YAML, _format_version "3.0"' } })),
        '400': { description: 'Not DB-less: this endpoint is only available when not using a database', content: jsonBody(MESSAGE) },
      },
    },
    post: {
      summary: 'Replace the whole configuration (DB-less only)',
      tags: ['information'],
      parameters: [
        { name: 'check_hash', in: 'query', required: false, description: '1: answer 304 when the text equals the loaded one', schema: { type: 'string' } },
        { name: 'flatten_errors', in: 'query', required: false, description: 'true/1/on/yes: add flattened_errors to a 400', schema: { type: 'string' } },
      ],
      requestBody: {
        content: {
          'application/json': { schema: { type: 'object', additionalProperties: true, description: 'a table with _format_version, or {"config": "<YAML or JSON text>"}' } },
          'application/yaml': { schema: { type: 'string' } },
          'application/x-www-form-urlencoded': { schema: objectSchema({ config: { type: 'string' } }) },
        },
      },
      responses: {
        '201': ok('The loaded entities keyed by type, then by id', { type: 'object', additionalProperties: { type: 'object', additionalProperties: true } }),
        '304': { description: 'check_hash=1 and the same text as the loaded one: nothing reloaded' },
        '400': { description: 'Invalid declarative configuration (code 14), nothing usable, or not DB-less', content: jsonBody({ type: 'object', additionalProperties: true }) },
        '413': { description: 'The configuration is larger than the node holds', content: jsonBody(MESSAGE) },
        '429': { description: 'A previous configuration is still loading (Retry-After)', content: jsonBody(MESSAGE) },
        '503': { description: 'The node is shutting down', content: jsonBody(MESSAGE) },
        '504': { description: 'Loading took too long (it still completes)', content: jsonBody(MESSAGE) },
      },
    },
  },
  '/endpoints': {
    get: {
      summary: 'Every path this Admin API serves',
      tags: ['information'],
      responses: { '200': ok('Paths with {param} placeholders', objectSchema({ data: { type: 'array', items: { type: 'string' } } })) },
    },
  },
  '/plugins/enabled': {
    get: {
      summary: 'Plugins this server can run',
      tags: ['plugins'],
      responses: { '200': ok('Plugin names', objectSchema({ enabled_plugins: { type: 'array', items: { type: 'string' } } })) },
    },
  },
  '/schemas/{name}': {
    get: {
      summary: 'Schema of an entity',
      tags: ['schemas'],
      parameters: [stringParam('name', 'Entity name, e.g. services')],
      responses: { '200': ok('Kong schema JSON', { type: 'object', additionalProperties: true }), '404': { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/schemas/plugins/{name}': {
    get: {
      summary: 'Schema of a plugin',
      tags: ['schemas'],
      parameters: [stringParam('name', 'Plugin name, e.g. key-auth')],
      responses: { '200': ok('Kong schema JSON', { type: 'object', additionalProperties: true }), '404': { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/schemas/{db_entity_name}/validate': {
    post: {
      summary: 'Validate an entity without storing it',
      tags: ['schemas'],
      parameters: [stringParam('db_entity_name', 'Entity name, e.g. services')],
      requestBody: { required: true, content: jsonBody({ type: 'object', additionalProperties: true }) },
      responses: { '200': ok('Valid', VALIDATION_OK), '400': { $ref: '#/components/responses/BadRequest' }, '404': { $ref: '#/components/responses/NotFound' } },
    },
  },
  '/schemas/plugins/validate': {
    post: {
      summary: 'Validate a plugin configuration without storing it',
      tags: ['schemas'],
      requestBody: { required: true, content: jsonBody(ref('plugins_create')) },
      responses: { '200': ok('Valid', VALIDATION_OK), '400': { $ref: '#/components/responses/BadRequest' } },
    },
  },
  '/tags': {
    get: {
      summary: 'Every tagged entity',
      tags: ['tags'],
      parameters: PAGING,
      responses: { '200': ok('Tag index page', TAG_PAGE), '400': { $ref: '#/components/responses/BadRequest' } },
    },
  },
  '/tags/{tag}': {
    get: {
      summary: 'Entities carrying one tag',
      tags: ['tags'],
      parameters: [stringParam('tag', 'The tag'), ...PAGING],
      responses: { '200': ok('Tag index page', TAG_PAGE), '400': { $ref: '#/components/responses/BadRequest' } },
    },
  },
  ...NODE_OPERATIONS,
  ...PROXY_CACHE_OPERATIONS,
  '/acme': {
    post: {
      summary: 'Order or renew the certificate of one host (acme plugin)',
      tags: ['acme'],
      requestBody: { required: true, content: jsonBody(objectSchema({
        host: { type: 'string', example: 'example.com', description: 'One domain, without a port' },
        test_http_challenge_flow: { type: 'boolean', description: 'Only check that http://<host>/.well-known/acme-challenge/ reaches this gateway' },
      })) },
      responses: {
        '201': ok('Certificate created', MESSAGE), '200': ok('Sanity check passed', MESSAGE), '400': ok('Bad host or failed sanity check', MESSAGE),
        '404': { description: 'No acme plugin is configured' }, '500': ok('The order failed', MESSAGE),
      },
    },
    patch: {
      summary: 'Renew every certificate due for renewal (acme plugin)',
      tags: ['acme'],
      responses: { '202': ok('Renewal started in the background', MESSAGE) },
    },
  },
  '/acme/certificates': {
    get: {
      summary: 'Certificates the acme plugin manages',
      tags: ['acme'],
      parameters: [{ name: 'invalid_only', in: 'query', required: false, description: 'Only expired or not yet valid certificates', schema: { type: 'boolean' } }],
      responses: { '200': ok('Certificates', objectSchema({ data: { type: 'array', items: ACME_CERTIFICATE } })), '404': { description: 'No acme plugin is configured' } },
    },
  },
  '/acme/certificates/{host}': {
    get: {
      summary: 'The certificate the acme plugin keeps for one host',
      tags: ['acme'],
      parameters: [stringParam('host', 'The host')],
      responses: { '200': ok('Certificate', objectSchema({ data: ACME_CERTIFICATE })), '404': ok('No certificate for this host, or no acme plugin', MESSAGE) },
    },
  },
  ...RELEASE_OPERATIONS,
  ...ROLLOUT_OPERATIONS,
};
