// OpenAPI operations of the node endpoints Kong has beside the entities: upstream health, the node cache, timers,
// DNS status, the running log level, clustering status and vault schemas.
import { DNS_STATUS_BODY, DNS_STATUS_STATUS } from '@tollgate/errors';

const jsonBody = (schema: unknown) => ({ 'application/json': { schema } });
const ok = (description: string, schema: unknown) => ({ description, content: jsonBody(schema) });
const obj = (properties: Record<string, unknown>, description?: string) => ({ type: 'object', properties, ...(description ? { description } : {}) });
const pathParam = (name: string, description: string) => ({ name, in: 'path', required: true, description, schema: { type: 'string' } });
const MESSAGE = obj({ message: { type: 'string' } });
const message = (description: string, example: string) => ({ description, content: jsonBody({ ...MESSAGE, example: { message: example } }) });
const NOT_FOUND = { $ref: '#/components/responses/NotFound' };
const BAD = { $ref: '#/components/responses/BadRequest' };
const NOT_CP = message('The node is not a control plane (role = control_plane)', 'this endpoint is only available when Kong is configured to run as Control Plane for the cluster');

const UPSTREAM = pathParam('upstreams', 'Upstream id or name');
const TARGET = pathParam('targets', 'Target id or target (host:port)');
const ADDRESS = pathParam('address', 'One resolved address of the target, ip:port');
const HEALTH = { type: 'string', enum: ['HEALTHY', 'UNHEALTHY', 'DNS_ERROR', 'HEALTHCHECKS_OFF'] };
const TARGET_HEALTH = obj({
  id: { type: 'string', format: 'uuid' },
  target: { type: 'string', example: '10.0.0.1:8080' },
  weight: { type: 'integer' },
  health: HEALTH,
  data: obj({ addresses: { type: 'array', items: obj({ ip: { type: 'string' }, port: { type: 'integer' }, health: HEALTH, weight: { type: 'integer' } }) } }),
});

const setHealth = (healthy: boolean, perAddress: boolean) => ({
  summary: `Mark ${perAddress ? 'one address of a target' : 'a target'} ${healthy ? 'healthy' : 'unhealthy'} in every worker's balancer`,
  description: 'Short-lived: the health checker and a configuration reload may change it again, as in Kong.',
  tags: ['upstreams'],
  parameters: perAddress ? [UPSTREAM, TARGET, ADDRESS] : [UPSTREAM, TARGET],
  responses: { '204': { description: 'Applied' }, '400': BAD, '404': NOT_FOUND },
});

export const NODE_OPERATIONS: Record<string, Record<string, Record<string, unknown>>> = {
  '/upstreams/{upstreams}/health': {
    get: {
      summary: "Targets of an upstream with their health as this node's balancers see it",
      tags: ['upstreams'],
      parameters: [
        UPSTREAM,
        { name: 'balancer_health', in: 'query', required: false, description: '`1`: the health of the balancer itself', schema: { type: 'string', enum: ['1'] } },
      ],
      responses: {
        '200': ok('Targets with health, or the balancer health', obj({
          data: { oneOf: [{ type: 'array', items: TARGET_HEALTH }, obj({ health: HEALTH, id: { type: 'string' }, details: { type: 'object', additionalProperties: true } })] },
          next: { type: 'string', nullable: true },
          node_id: { type: 'string', format: 'uuid' },
        })),
        '404': NOT_FOUND,
      },
    },
  },
  // POST as well: Kong kept it for clients of its 1.x API.
  '/upstreams/{upstreams}/targets/{targets}/healthy': { put: setHealth(true, false), post: setHealth(true, false) },
  '/upstreams/{upstreams}/targets/{targets}/unhealthy': { put: setHealth(false, false), post: setHealth(false, false) },
  '/upstreams/{upstreams}/targets/{targets}/{address}/healthy': { put: setHealth(true, true) },
  '/upstreams/{upstreams}/targets/{targets}/{address}/unhealthy': { put: setHealth(false, true) },
  '/cache': {
    delete: { summary: "Purge the node's entity cache", tags: ['node'], responses: { '204': { description: 'Purged' } } },
  },
  '/cache/{key}': {
    get: {
      summary: 'One entry of the node cache, by its cache key',
      tags: ['node'],
      parameters: [pathParam('key', 'Cache key, e.g. keyauth_credentials:<key>')],
      responses: { '200': ok('The cached value', {}), '404': NOT_FOUND },
    },
    delete: {
      summary: 'Invalidate one entry of the node cache',
      tags: ['node'],
      parameters: [pathParam('key', 'Cache key')],
      responses: { '204': { description: 'Invalidated, or was not cached' } },
    },
  },
  '/timers': {
    get: {
      summary: "Timer statistics of this node's worker (Kong's lua-resty-timer-ng figures)",
      tags: ['node'],
      responses: {
        '200': ok('Timer statistics', obj({
          worker: obj({ id: { type: 'integer' }, count: { type: 'integer' } }),
          stats: obj({
            flamegraph: obj({ running: { type: 'string' }, pending: { type: 'string' }, elapsed_time: { type: 'string' } }),
            sys: obj({ running: { type: 'integer' }, runs: { type: 'integer' }, pending: { type: 'integer' }, waiting: { type: 'integer' }, total: { type: 'integer' } }),
            timers: { type: 'object', additionalProperties: true },
          }),
        })),
      },
    },
  },
  '/status/dns': {
    get: {
      summary: 'DNS client statistics',
      description: 'Also on the status listener. With `new_dns_client = on`, the statistics of the name resolution of the '
        + "targets of upstream entities in one data-plane worker of this node (Kong's new DNS client keeps them per worker; "
        + 'a node without data-plane workers, such as a control plane, has none to show; a service host that names no '
        + "upstream is resolved by the operating system, uncounted); with the default `off` (Kong's legacy DNS client) "
        + 'there are none, and the answer is 501 as in Kong 3.10.',
      tags: ['node'],
      responses: {
        '200': ok('new_dns_client = on: the statistics of the worker that answered', {
          ...obj({
            worker: obj({
              id: { type: 'integer', description: 'The worker whose statistics these are (0-based)' },
              count: { type: 'integer', description: 'worker_processes' },
            }),
            stats: {
              type: 'object',
              description: 'Keyed by `<name>|<type>`. A resolution run (`A/AAAA`, or `SRV` for an `_<service>._<proto>.<name>` name) '
                + 'counts `runs` and how each was answered: `hit_lru` (cached), `hit_shm` (joined a lookup in flight), `miss` '
                + '(looked up), `fail` (no name server answered), and `stale` (an expired answer served). A query to a name server '
                + '(`A`, `AAAA` or `SRV`) counts `query`, `query_succ`, `query_fail:<error>` (e.g. `query_fail:name error`, '
                + '`query_fail:empty record received`) or `query_fail_nameserver`, and `query_last_time` (milliseconds).',
              additionalProperties: { type: 'object', additionalProperties: { type: 'integer' } },
            },
          }),
          example: {
            worker: { id: 0, count: 1 },
            stats: {
              'backend.example.test|A/AAAA': { runs: 3, miss: 1, hit_lru: 2 },
              'backend.example.test|A': { query: 1, query_succ: 1, query_last_time: 2 },
              'gone.example.test|A/AAAA': { runs: 1, miss: 1 },
              'gone.example.test|A': { query: 1, 'query_fail:name error': 1, query_last_time: 3 },
            },
          },
        }),
        [DNS_STATUS_STATUS]: message('new_dns_client = off: no DNS statistics with the legacy DNS client', DNS_STATUS_BODY.message),
      },
    },
  },
  '/debug/node/log-level': {
    get: {
      summary: 'The running log level of this node',
      tags: ['node'],
      responses: { '200': message('The current level', 'log level: notice') },
    },
  },
  '/debug/node/log-level/{log_level}': {
    put: {
      summary: "Change the running log level of this node's processes",
      description: 'Every worker of this node; as in Kong, refused on a node without a database.',
      tags: ['node'],
      parameters: [{ name: 'log_level', in: 'path', required: true, schema: { type: 'string', enum: ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'] } }],
      responses: {
        '200': message('Changed', 'log level changed'),
        '400': message('Unknown level, or not using a database', 'unknown log level: loud'),
      },
    },
  },
  '/debug/cluster/log-level/{log_level}': {
    put: {
      summary: 'Change the running log level of every node on this database',
      description: 'This node as `/debug/node/log-level`, then every other node sharing its PostgreSQL database. On a control plane the route is `/debug/cluster/control-planes-nodes/log-level/{log_level}` (as in Kong) and this one answers 404.',
      tags: ['node'],
      parameters: [{ name: 'log_level', in: 'path', required: true, schema: { type: 'string', enum: ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'] } }],
      responses: {
        '200': message('Changed', 'log level changed'),
        '400': message('Unknown level', 'unknown log level: loud'),
        '404': message('A control plane (see /debug/cluster/control-planes-nodes/log-level)', 'Not found'),
      },
    },
  },
  '/debug/cluster/control-planes-nodes/log-level/{log_level}': {
    put: {
      summary: 'Change the running log level of every control plane on this database',
      description: 'role = control_plane only (404 elsewhere): this control plane, then every other one sharing its PostgreSQL database. Data planes keep their level.',
      tags: ['node'],
      parameters: [{ name: 'log_level', in: 'path', required: true, schema: { type: 'string', enum: ['debug', 'info', 'notice', 'warn', 'error', 'crit', 'alert', 'emerg'] } }],
      responses: {
        '200': message('Changed', 'log level changed'),
        '400': message('Unknown level', 'unknown log level: loud'),
        '404': message('Not a control plane', 'Not found'),
      },
    },
  },
  '/clustering/data-planes': {
    get: {
      summary: 'Data planes known to the control planes (the registry in the database)',
      tags: ['clustering'],
      responses: {
        '200': ok('Data planes', obj({
          data: {
            type: 'array',
            items: obj({
              id: { type: 'string' },
              ip: { type: 'string' },
              hostname: { type: 'string' },
              version: { type: 'string' },
              sync_status: { type: 'string' },
              config_hash: { type: 'string' },
              last_seen: { type: 'integer' },
              ttl: { type: 'integer', description: 'Seconds until the entry is purged without news' },
              labels: { type: 'object', additionalProperties: { type: 'string' } },
              release: { type: 'integer', nullable: true },
            }),
          },
          next: { type: 'string', nullable: true },
        })),
        '400': NOT_CP,
      },
    },
  },
  '/clustering/status': {
    get: {
      summary: 'Data planes by id (deprecated in Kong; kept for its clients)',
      tags: ['clustering'],
      responses: { '200': ok('Data planes by id', { type: 'object', additionalProperties: true }), '400': NOT_CP },
    },
  },
  '/schemas/vaults/{name}': {
    get: {
      summary: 'The configuration schema of a vault strategy',
      tags: ['vaults'],
      parameters: [pathParam('name', 'Vault strategy, e.g. env')],
      responses: { '200': ok('The schema in Kong\'s format', obj({ fields: { type: 'array', items: { type: 'object' } } })), '404': NOT_FOUND },
    },
  },
};
