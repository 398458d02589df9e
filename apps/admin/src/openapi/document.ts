import type { Settings } from '@tollgate/config';
import { ENTITIES, toOpenApiSchema, type EntitySchema } from '@tollgate/schema';
import { ADMIN_TOKEN_HEADER } from '../bootstrap/access-control';
import { isDocsPath, type RouteCatalog } from '../bootstrap/route-catalog';
import { KONG_COMPATIBLE_VERSION } from '@tollgate/config';
import { CUSTOM_OPERATIONS } from './custom-operations';
import { ERROR_RESPONSES, ERROR_SCHEMAS } from './error-components';
import { entityOperations } from './entity-operations';
import { classifyPath } from './path-classifier';
import { REQUEST_EXAMPLES } from './request-examples';

export interface OpenApiInputs {
  readonly catalog: RouteCatalog;
  readonly settings: Pick<Settings, 'admin_api_key'>;
  readonly entities?: ReadonlyMap<string, EntitySchema>;
}

export type OpenApiDocument = Record<string, unknown> & { paths: Record<string, Record<string, unknown>> };

const DOCUMENTED_METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** The OpenAPI 3.0 document of everything the app serves, derived from the route catalog and libs/schema. */
export function buildOpenApiDocument({ catalog, settings, entities = ENTITIES }: OpenApiInputs): OpenApiDocument {
  const exposed = [...entities.values()].filter((schema) => schema.name !== 'tags');
  const paths: OpenApiDocument['paths'] = {};
  for (const route of [...catalog.routes()].sort((a, b) => (a.kongPath < b.kongPath ? -1 : 1))) {
    if (isDocsPath(route.path) || route.path.includes('*')) continue;
    const custom = CUSTOM_OPERATIONS[route.kongPath];
    const shape = classifyPath(route.kongPath, entities);
    const item: Record<string, unknown> = paths[route.kongPath] ?? {};
    for (const method of DOCUMENTED_METHODS) {
      if (!route.methods.has(method.toUpperCase())) continue;
      const operation = custom?.[method] ?? entityOperations(route.kongPath, method, shape);
      item[method] = { operationId: operationId(method, route.kongPath), ...operation, parameters: parametersOf(route.kongPath, operation, shape) };
    }
    paths[route.kongPath] = item;
  }
  const document: OpenApiDocument = {
    openapi: '3.0.3',
    info: {
      title: 'Tollgate Admin API',
      version: KONG_COMPATIBLE_VERSION,
      description: "Kong-compatible Admin API: the same entities, fields, status codes and error bodies as Kong Gateway's.",
    },
    servers: [{ url: '/' }],
    tags: exposed.map((schema) => ({ name: schema.name, description: schema.description })),
    paths,
    components: {
      schemas: { ...entityComponents(exposed), ...ERROR_SCHEMAS },
      responses: ERROR_RESPONSES,
      securitySchemes: { adminToken: { type: 'apiKey', in: 'header', name: canonicalHeader(ADMIN_TOKEN_HEADER) } },
    },
  };
  if (settings.admin_api_key) document.security = [{ adminToken: [] }];
  return document;
}

function entityComponents(schemas: readonly EntitySchema[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const schema of schemas) {
    out[schema.name] = toOpenApiSchema(schema, { mode: 'response' });
    const example = REQUEST_EXAMPLES[schema.name];
    out[`${schema.name}_create`] = { ...(toOpenApiSchema(schema, { mode: 'create' }) as object), ...(example ? { example } : {}) };
    out[`${schema.name}_update`] = toOpenApiSchema(schema, { mode: 'update' });
    out[`${schema.name}_list`] = {
      type: 'object',
      required: ['data', 'next'],
      properties: {
        data: { type: 'array', items: { $ref: `#/components/schemas/${schema.name}` } },
        offset: { type: 'string', description: 'Present when more pages exist: pass it back as ?offset=' },
        next: { type: 'string', nullable: true, description: 'Path of the next page, or null on the last page' },
      },
    };
  }
  return out;
}

function parametersOf(kongPath: string, operation: Record<string, unknown>, shape: ReturnType<typeof classifyPath>): unknown[] {
  const declared = (operation.parameters as Array<{ name: string; in: string }> | undefined) ?? [];
  const names = [...kongPath.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]);
  const missing = names
    .filter((name) => !declared.some((p) => p.in === 'path' && p.name === name))
    .map((name) => ({ name, in: 'path', required: true, description: describeKey(name, shape), schema: { type: 'string' } }));
  return [...missing, ...declared];
}

function describeKey(param: string, shape: ReturnType<typeof classifyPath>): string {
  const schema = ENTITIES.get(param);
  if (schema) return schema.endpointKey ? `id or ${schema.endpointKey} of the ${singular(param)}` : `id of the ${singular(param)}`;
  return shape.entity ? `key of the ${singular(shape.entity.name)}` : param;
}

function singular(name: string): string {
  return name.endsWith('ies') ? `${name.slice(0, -3)}y` : name.replace(/s$/, '');
}

function operationId(method: string, kongPath: string): string {
  const words = kongPath.split('/').filter(Boolean).map((s) => s.replace(/[{}]/g, '').replace(/[^A-Za-z0-9]+/g, '_'));
  return [method, ...(words.length ? words : ['root'])].join('_');
}

function canonicalHeader(name: string): string {
  return name.replace(/(^|-)([a-z])/g, (_m, dash: string, c: string) => dash + c.toUpperCase());
}
