// Operations of the non-CRUD endpoints (custom/), keyed by Kong path and method.

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
const VALIDATION_OK = objectSchema({ message: { type: 'string', example: 'schema validation successful' } });

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
};
