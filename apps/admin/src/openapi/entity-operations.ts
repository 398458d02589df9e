import type { EntitySchema } from '@tollgate/schema';
import type { PathShape } from './path-classifier';

const ref = (name: string) => ({ $ref: `#/components/schemas/${name}` });
const response = (name: string) => ({ $ref: `#/components/responses/${name}` });
const jsonAndForm = (schema: unknown) => ({
  'application/json': { schema },
  'application/x-www-form-urlencoded': { schema },
});

/** The generic CRUD operation for a method on an entity path (kong-admin-api.md §3.3). */
export function entityOperations(kongPath: string, method: string, shape: PathShape): Record<string, unknown> {
  if (shape.kind === 'other') return otherOperation(method, shape.entity);
  const entity = shape.entity;
  const tags = [entity.name];
  const label = singular(entity.name);
  const within = 'parent' in shape && shape.parent ? ` of a ${singular(shape.parent.name)}` : '';

  if (shape.kind === 'collection') {
    if (method === 'get') {
      return {
        summary: `List ${entity.name}${within}`,
        tags,
        parameters: listParameters(entity, !('parent' in shape && shape.parent)),
        responses: { '200': ok(`A page of ${entity.name}`, ref(`${entity.name}_list`)), '400': response('BadRequest'), '404': response('NotFound') },
      };
    }
    if (method === 'post') {
      return {
        summary: `Create a ${label}${within}`,
        tags,
        requestBody: { required: true, content: jsonAndForm(ref(`${entity.name}_create`)) },
        responses: {
          '201': ok(`The created ${label}`, ref(entity.name)),
          '400': response('BadRequest'),
          '404': response('NotFound'),
          '409': response('Conflict'),
          '415': response('UnsupportedMediaType'),
        },
      };
    }
  }

  const subject = shape.kind === 'referenced' ? `the ${label} of a ${singular(shape.child.name)}` : `a ${label}${within}`;
  switch (method) {
    case 'get':
      return { summary: `Fetch ${subject}`, tags, responses: { '200': ok(`The ${label}`, ref(entity.name)), '400': response('BadRequest'), '404': response('NotFound') } };
    case 'put':
      return {
        summary: `Create or replace ${subject}`,
        tags,
        requestBody: { required: true, content: jsonAndForm(ref(`${entity.name}_create`)) },
        responses: { '200': ok(`The stored ${label}`, ref(entity.name)), '400': response('BadRequest'), '404': response('NotFound'), '409': response('Conflict') },
      };
    case 'patch':
      return {
        summary: `Update ${subject}`,
        tags,
        requestBody: { required: true, content: jsonAndForm(ref(`${entity.name}_update`)) },
        responses: { '200': ok(`The updated ${label}`, ref(entity.name)), '400': response('BadRequest'), '404': response('PatchNotFound'), '409': response('Conflict') },
      };
    case 'delete':
      return {
        summary: `Delete ${subject}`,
        tags,
        responses: { '204': { description: 'Deleted, or did not exist' }, '400': response('BadRequest'), '405': response('MethodNotAllowed') },
      };
    default:
      return otherOperation(method, entity);
  }
}

function otherOperation(method: string, entity?: EntitySchema): Record<string, unknown> {
  return {
    summary: `${method.toUpperCase()} (special endpoint)`,
    tags: entity ? [entity.name] : ['other'],
    ...(method === 'post' || method === 'put' || method === 'patch'
      ? { requestBody: { required: false, content: jsonAndForm({ type: 'object', additionalProperties: true }) } }
      : {}),
    responses: {
      '200': ok('Success', { type: 'object', additionalProperties: true }),
      '204': { description: 'Success, no body' },
      '400': response('BadRequest'),
      '404': response('NotFound'),
    },
  };
}

function listParameters(entity: EntitySchema, topLevel: boolean): unknown[] {
  const params: unknown[] = [
    { name: 'size', in: 'query', required: false, description: 'Page size, 1 to 1000', schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } },
    { name: 'offset', in: 'query', required: false, description: "The previous page's `offset`", schema: { type: 'string' } },
  ];
  if (topLevel && entity.fields.some(([name]) => name === 'tags')) {
    params.push({ name: 'tags', in: 'query', required: false, description: 'Tag filter: `a,b` has all, `a/b` has any (at most 5 tags)', schema: { type: 'string' } });
  }
  return params;
}

function ok(description: string, schema: unknown) {
  return { description, content: { 'application/json': { schema } } };
}

function singular(name: string): string {
  return name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.replace(/s$/, '');
}
