// OpenAPI operations of config releases (cluster/releases) and route-match explain (custom/debug-route-match).
const jsonBody = (schema: unknown) => ({ 'application/json': { schema } });
const ok = (description: string, schema: unknown) => ({ description, content: jsonBody(schema) });
const obj = (properties: Record<string, unknown>, description?: string) => ({ type: 'object', properties, ...(description ? { description } : {}) });
const NUMBER = { name: 'number', in: 'path', required: true, description: 'Release number', schema: { type: 'integer', minimum: 1 } };
const BAD = { $ref: '#/components/responses/BadRequest' };
const NOT_FOUND = { description: 'No such release (or pruned: only config_release_history are kept)', content: jsonBody(obj({ message: { type: 'string', example: 'Not found' } })) };

const SOURCE = obj({
  type: { type: 'string', enum: ['admin', 'cli', 'declarative', 'startup'] },
  client_ip: { type: 'string', nullable: true, description: 'Admin API client address (admin)' },
  api_key: { type: 'string', nullable: true, description: 'Which admin_api_key authorised the write: sha256: and 12 hex digits of its digest' },
  writes: { type: 'integer', description: 'Admin API writes coalesced into the release' },
  rollback_of: { type: 'integer', description: 'Set on rollbacks: the release restored' },
}, 'Who committed the change');
const RELEASE = obj({
  number: { type: 'integer', example: 42 },
  hash: { type: 'string', description: 'The snapshot hash data planes report (64 hex)' },
  parent: { type: 'integer', nullable: true },
  created_at: { type: 'number', description: 'Epoch seconds, millisecond precision' },
  source: SOURCE,
  summary: { type: 'object', additionalProperties: obj({ created: { type: 'integer' }, updated: { type: 'integer' }, deleted: { type: 'integer' } }), example: { routes: { created: 1, updated: 0, deleted: 0 } } },
});
const CHANGE = obj({
  op: { type: 'string', enum: ['create', 'update', 'delete'] },
  entity: { type: 'string', example: 'routes' },
  id: { type: 'string', format: 'uuid' },
  name: { type: 'string', nullable: true },
  fields: { type: 'object', additionalProperties: obj({ from: {}, to: {} }), description: 'Changed fields; secrets shown as ******' },
});

export const RELEASE_OPERATIONS: Record<string, Record<string, Record<string, unknown>>> = {
  '/config/releases': {
    get: {
      summary: 'Config release history, newest first',
      tags: ['releases'],
      parameters: [
        { name: 'size', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        { name: 'offset', in: 'query', required: false, description: 'From the previous page', schema: { type: 'string' } },
      ],
      responses: { '200': ok('A page of releases', obj({ data: { type: 'array', items: RELEASE }, offset: { type: 'string' }, next: { type: 'string', nullable: true } })), '400': BAD },
    },
  },
  '/config/releases/{number}': {
    get: { summary: 'One release', tags: ['releases'], parameters: [NUMBER], responses: { '200': ok('The release', RELEASE), '400': BAD, '404': NOT_FOUND } },
  },
  '/config/releases/{number}/config': {
    get: {
      summary: "A release's declarative configuration, byte-identical to `tollgate config db_export` at that moment",
      tags: ['releases'],
      parameters: [NUMBER, { name: 'format', in: 'query', required: false, schema: { type: 'string', enum: ['json', 'yaml'], default: 'json' } }],
      responses: {
        '200': { description: '_format_version "3.0"', content: { 'application/json': { schema: { type: 'object' } }, 'application/x-yaml': { schema: { type: 'string' } } } },
        '400': BAD,
        '404': NOT_FOUND,
      },
    },
  },
  '/config/releases/{number}/diff': {
    get: {
      summary: 'What changed from another release (default: the parent) to this one',
      tags: ['releases'],
      parameters: [NUMBER, { name: 'against', in: 'query', required: false, schema: { type: 'integer', minimum: 1 } }],
      responses: { '200': ok('Changes', obj({ from: { type: 'integer' }, to: { type: 'integer' }, changes: { type: 'array', items: CHANGE } })), '400': BAD, '404': NOT_FOUND },
    },
  },
  '/config/releases/{number}/rollback': {
    post: {
      summary: 'Commit a new release whose configuration equals this one (validated first)',
      tags: ['releases'],
      parameters: [NUMBER],
      responses: { '201': ok('The new release', RELEASE), '400': BAD, '404': NOT_FOUND },
    },
  },
  '/debug/route-match': {
    post: {
      summary: 'Which route, service, targets and plugins a request would get, and why the other routes lost',
      tags: ['debug'],
      requestBody: {
        required: true,
        content: jsonBody({
          ...obj({
            method: { type: 'string', default: 'GET' },
            url: { type: 'string', example: 'https://api.example.com:8443/v1/users?x=1' },
            headers: { type: 'object', additionalProperties: { oneOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] } },
            sni: { type: 'string' },
            client_ip: { type: 'string' },
            release: { type: 'integer', description: 'Explain against this release instead of the current configuration' },
            consumer: { type: 'string', description: 'Id or username: include consumer-scoped plugins' },
          }),
          required: ['url'],
        }),
      },
      responses: {
        '200': ok('The explanation', obj({
          release: { type: 'integer', nullable: true },
          hash: { type: 'string' },
          route: obj({ id: { type: 'string' }, name: { type: 'string', nullable: true } }),
          matched: obj({ path: { type: 'string', nullable: true }, host: { type: 'string', nullable: true }, captures: { type: 'object', nullable: true } }),
          service: { type: 'object', nullable: true },
          upstream: { type: 'object', nullable: true },
          targets: { type: 'array', items: obj({ target: { type: 'string' }, weight: { type: 'integer' } }) },
          upstream_path: { type: 'string', nullable: true },
          plugins: { type: 'array', items: obj({ name: { type: 'string' }, id: { type: 'string' }, instance_name: { type: 'string', nullable: true }, scope: { type: 'string', example: 'route' }, priority: { type: 'integer' } }) },
          candidates: {
            type: 'array',
            items: obj({
              route: obj({ id: { type: 'string' }, name: { type: 'string', nullable: true } }),
              rank: { type: 'integer' },
              reason: { type: 'string', enum: ['host mismatch', 'port mismatch', 'method not allowed', 'sni mismatch', 'header mismatch', 'path mismatch', 'regex not matching', 'lower priority than the winner'] },
              failed: { type: 'array', items: { type: 'string' } },
              detail: { type: 'string' },
            }),
          },
        })),
        '400': BAD,
        '404': { description: 'Unknown release or consumer', content: jsonBody(obj({ message: { type: 'string' } })) },
      },
    },
  },
};
