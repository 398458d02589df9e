import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv';
import request from 'supertest';
import { startTestControlPlane, type RunningControlPlane } from '../shell/control-plane';
import { KongSpec } from './kong-spec';

type Json = Record<string, any>;
let cp: RunningControlPlane;
let doc: Json;

beforeAll(async () => {
  cp = await startTestControlPlane();
  const res = await request(cp.url).get('/docs-json');
  expect(res.status).toBe(200);
  doc = res.body;
});
afterAll(() => cp.stop());

/** The skeleton of an OpenAPI 3.0 document (the parts Swagger UI and generators rely on). */
const OPENAPI_30_SKELETON = {
  type: 'object',
  required: ['openapi', 'info', 'paths'],
  properties: {
    openapi: { type: 'string', pattern: '^3\\.0\\.\\d+$' },
    info: { type: 'object', required: ['title', 'version'], properties: { title: { type: 'string' }, version: { type: 'string' } } },
    paths: {
      type: 'object',
      propertyNames: { pattern: '^/' },
      additionalProperties: {
        type: 'object',
        propertyNames: { enum: ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace', 'summary', 'description', 'parameters', 'servers'] },
        additionalProperties: {
          type: 'object',
          required: ['responses'],
          properties: {
            operationId: { type: 'string' },
            parameters: {
              type: 'array',
              items: {
                type: 'object',
                required: ['name', 'in', 'schema'],
                properties: { in: { enum: ['path', 'query', 'header', 'cookie'] }, name: { type: 'string' } },
                if: { properties: { in: { const: 'path' } } },
                then: { required: ['required'], properties: { required: { const: true } } },
              },
            },
            requestBody: { type: 'object', required: ['content'] },
            responses: {
              type: 'object',
              minProperties: 1,
              propertyNames: { pattern: '^([1-5]\\d\\d|default)$' },
              additionalProperties: {
                type: 'object',
                oneOf: [{ required: ['$ref'] }, { required: ['description'] }],
              },
            },
          },
        },
      },
    },
    components: {
      type: 'object',
      properties: { schemas: { type: 'object' }, responses: { type: 'object' }, securitySchemes: { type: 'object' } },
    },
  },
};

function refsOf(node: unknown, out: string[] = []): string[] {
  if (Array.isArray(node)) node.forEach((n) => refsOf(n, out));
  else if (node && typeof node === 'object') {
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') out.push(v);
      else refsOf(v, out);
    }
  }
  return out;
}

describe('GET /docs-json', () => {
  test('is a structurally valid OpenAPI 3.0 document', () => {
    const ajv = new Ajv({ allErrors: true });
    const valid = ajv.validate(OPENAPI_30_SKELETON, doc);
    expect(ajv.errors ?? []).toEqual([]);
    expect(valid).toBe(true);
    expect(doc.info).toMatchObject({ title: 'Tollgate Admin API', version: '3.10.0' });
  });

  test('every $ref resolves', () => {
    const unresolved = refsOf(doc).filter((ref) => {
      const [, section, name] = ref.match(/^#\/components\/(\w+)\/(.+)$/) ?? [];
      return !section || !doc.components[section]?.[name];
    });
    expect(unresolved).toEqual([]);
  });

  test('every path placeholder is a declared path parameter, and operationIds are unique', () => {
    const problems: string[] = [];
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      const placeholders = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1]).sort();
      for (const [method, op] of Object.entries<Json>(item)) {
        const declared = (op.parameters ?? []).filter((p: Json) => p.in === 'path').map((p: Json) => p.name).sort();
        if (JSON.stringify(declared) !== JSON.stringify(placeholders)) problems.push(`${method} ${path}: ${declared} vs ${placeholders}`);
        if (ids.has(op.operationId)) problems.push(`duplicate operationId ${op.operationId}`);
        ids.add(op.operationId);
      }
    }
    expect(problems).toEqual([]);
  });

  test('documents every endpoint and method the app serves', async () => {
    const endpoints: string[] = (await request(cp.url).get('/endpoints')).body.data;
    const missing: string[] = [];
    for (const path of endpoints) {
      const concrete = path.replace(/\{[^}]+\}/g, 'x');
      const allow = (await request(cp.url).options(concrete)).headers.allow as string;
      for (const method of allow.split(', ').filter((m) => m !== 'HEAD' && m !== 'OPTIONS')) {
        if (!doc.paths[path]?.[method.toLowerCase()]) missing.push(`${method} ${path}`);
      }
    }
    expect(missing).toEqual([]);
    expect(Object.keys(doc.paths).sort()).toEqual([...endpoints].sort());
  });

  test('every operation is described: none falls back to a generic body', () => {
    const generic: string[] = [];
    for (const [path, item] of Object.entries<Json>(doc.paths)) {
      for (const [method, op] of Object.entries<Json>(item)) {
        if (/special endpoint/.test(op.summary ?? '') || (op.tags ?? []).includes('other')) generic.push(`${method} ${path}`);
      }
    }
    expect(generic).toEqual([]);
  });

  test("credentials nested under a consumer use Kong's segment and their entity's components", () => {
    const create = doc.paths['/consumers/{consumers}/key-auth'].post;
    expect(JSON.stringify(create.requestBody)).toContain('#/components/schemas/keyauth_credentials_create');
    const one = doc.paths['/consumers/{consumers}/basic-auth/{basicauth_credentials}'].get;
    expect(JSON.stringify(one.responses['200'])).toContain('#/components/schemas/basicauth_credentials');
  });

  test.each(['services', 'routes', 'consumers', 'plugins', 'upstreams', 'targets', 'certificates', 'snis', 'ca_certificates'])(
    '%s: response, create, update and list components; every field described',
    (entity) => {
      const schemas = doc.components.schemas;
      for (const suffix of ['', '_create', '_update', '_list']) expect(schemas[`${entity}${suffix}`]).toBeDefined();
      const undocumented = Object.entries<Json>(schemas[entity].properties).filter(([, p]) => !p.description).map(([name]) => name);
      expect(undocumented).toEqual([]);
      expect(schemas[entity].example).toBeDefined();
    },
  );

  test('CRUD operations reference the entity components and Kong error shapes', () => {
    const services = doc.paths['/services'];
    expect(services.post.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/services_create' });
    expect(services.post.responses['201'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/services' });
    expect(services.post.responses['409']).toEqual({ $ref: '#/components/responses/Conflict' });
    expect(services.get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/services_list' });
    expect(services.get.parameters.map((p: Json) => p.name)).toEqual(['size', 'offset', 'tags']);
    const nested = doc.paths['/services/{services}/routes/{routes}'];
    expect(nested.patch.requestBody.content['application/json'].schema).toEqual({ $ref: '#/components/schemas/routes_update' });
    expect(doc.paths['/routes/{routes}/service'].get.responses['200'].content['application/json'].schema).toEqual({ $ref: '#/components/schemas/services' });
    expect(doc.components.schemas.SchemaViolationError.properties.code).toEqual({ type: 'integer', enum: [2], example: 2 });
    expect(doc.components.schemas.services_create.example).toEqual({ name: 'example-service', url: 'http://httpbin.org:80/anything' });
  });

  test('our own responses validate against our document', async () => {
    const file = join(cp.prefix, 'docs.json');
    writeFileSync(file, JSON.stringify(doc));
    const ours = new KongSpec(file, { lenientNulls: false });
    const created = await request(cp.url).post('/services').send({ name: 'self-check', url: 'https://a.test/x', tags: ['t'] });
    const route = await request(cp.url).post('/services/self-check/routes').send({ paths: ['/p'] });
    const list = await request(cp.url).get('/routes');
    const missing = await request(cp.url).get('/services/absent');
    for (const [method, path, res] of [
      ['POST', '/services', created],
      ['POST', '/services/self-check/routes', route],
      ['GET', '/routes', list],
      ['GET', '/services/absent', missing],
    ] as const) {
      const check = ours.check(method, path, res.status, res.body);
      expect({ call: `${method} ${path}`, status: check?.status, errors: check?.errors }).toEqual({ call: `${method} ${path}`, status: String(res.status), errors: [] });
    }
    expect([...ours.notes]).toEqual([]);
  });
});
