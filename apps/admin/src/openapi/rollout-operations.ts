// OpenAPI operations of staged rollouts (cluster/rollouts).
const jsonBody = (schema: unknown) => ({ 'application/json': { schema } });
const ok = (description: string, schema: unknown) => ({ description, content: jsonBody(schema) });
const obj = (properties: Record<string, unknown>, description?: string) => ({ type: 'object', properties, ...(description ? { description } : {}) });
const MESSAGE = obj({ message: { type: 'string' } });
const ID = { name: 'id', in: 'path', required: true, description: 'Rollout id', schema: { type: 'string', format: 'uuid' } };
const BAD = { $ref: '#/components/responses/BadRequest' };
const NOT_FOUND = { description: 'No such rollout', content: jsonBody(MESSAGE) };
const NOT_OPEN = { description: 'The rollout is completed or aborted (or changed meanwhile)', content: jsonBody(MESSAGE) };
const LABELS = { type: 'object', additionalProperties: { type: 'string' }, description: 'Labels a data plane must all carry (cluster_dp_labels); {} matches every data plane', example: { tier: 'canary' } };

const STAGE_IN = obj({
  labels: LABELS,
  hold_seconds: { type: 'integer', minimum: 1, maximum: 604800, nullable: true, description: 'The stage promotes itself this long after it started unless the rollout aborted' },
});
const ROLLOUT = obj({
  id: { type: 'string', format: 'uuid' },
  state: { type: 'string', enum: ['open', 'completed', 'aborted'] },
  reason: { type: 'string', nullable: true, description: 'Why it aborted (the operator\'s reason, or the error rate that exceeded max_error_rate)' },
  stages: { type: 'array', items: obj({ labels: LABELS, hold_seconds: { type: 'integer', nullable: true }, started_at: { type: 'number', nullable: true, description: 'Epoch seconds; null until reached' } }) },
  current_stage: { type: 'integer', description: 'Index of the furthest stage reached' },
  max_error_rate: { type: 'number', nullable: true },
  baseline: obj({ number: { type: 'integer' }, hash: { type: 'string', nullable: true } }, 'The release served when the rollout opened; data planes not yet reached stay on it'),
  latest: obj({ number: { type: 'integer' }, hash: { type: 'string' } }, 'The newest release; reached data planes follow it'),
  data_planes: {
    type: 'array',
    items: obj({
      id: { type: 'string' },
      hostname: { type: 'string' },
      labels: { type: 'object', additionalProperties: { type: 'string' } },
      stage: { type: 'integer', nullable: true, description: 'The first stage whose labels it carries' },
      reached: { type: 'boolean' },
      release: { type: 'integer', nullable: true, description: 'The release it serves' },
      config_hash: { type: 'string' },
    }),
  },
  created_at: { type: 'number' },
  updated_at: { type: 'number' },
  ended_at: { type: 'number', nullable: true },
});

export const ROLLOUT_OPERATIONS: Record<string, Record<string, Record<string, unknown>>> = {
  '/rollouts': {
    post: {
      summary: 'Open a staged rollout: changes committed from now on reach the data planes stage by stage',
      tags: ['rollouts'],
      requestBody: {
        required: true,
        content: jsonBody({
          ...obj({
            stages: { type: 'array', minItems: 1, maxItems: 32, items: STAGE_IN },
            max_error_rate: { type: 'number', minimum: 0, maximum: 1, nullable: true, description: 'Abort when the reached data planes answer more than this share of at least 100 requests with 5xx' },
          }),
          required: ['stages'],
          example: { stages: [{ labels: { tier: 'canary' }, hold_seconds: 300 }, { labels: {} }], max_error_rate: 0.02 },
        }),
      },
      responses: { '201': ok('The open rollout', ROLLOUT), '400': BAD, '409': { description: 'Another rollout is open', content: jsonBody(MESSAGE) } },
    },
    get: {
      summary: 'Rollouts, newest first',
      tags: ['rollouts'],
      parameters: [
        { name: 'size', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
        { name: 'offset', in: 'query', required: false, schema: { type: 'string' } },
      ],
      responses: { '200': ok('A page of rollouts', obj({ data: { type: 'array', items: ROLLOUT }, offset: { type: 'string' }, next: { type: 'string', nullable: true } })), '400': BAD },
    },
  },
  '/rollouts/{id}': {
    get: { summary: 'One rollout and where every data plane stands', tags: ['rollouts'], parameters: [ID], responses: { '200': ok('The rollout', ROLLOUT), '404': NOT_FOUND } },
  },
  '/rollouts/{id}/promote': {
    post: {
      summary: 'Move to the next stage; past the last one the rollout completes and every data plane follows the latest release',
      tags: ['rollouts'],
      parameters: [ID],
      responses: { '200': ok('The rollout', ROLLOUT), '404': NOT_FOUND, '409': NOT_OPEN },
    },
  },
  '/rollouts/{id}/abort': {
    post: {
      summary: 'Commit a rollback to the baseline release and end the rollout as aborted',
      tags: ['rollouts'],
      parameters: [ID],
      requestBody: { required: false, content: jsonBody(obj({ reason: { type: 'string', maxLength: 1024, default: 'aborted through the Admin API' } })) },
      responses: { '200': ok('The aborted rollout', ROLLOUT), '400': BAD, '404': NOT_FOUND, '409': NOT_OPEN },
    },
  },
};
