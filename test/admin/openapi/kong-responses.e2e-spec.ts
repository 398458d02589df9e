import { join } from 'node:path';
import request from 'supertest';
import { startTestControlPlane, type RunningControlPlane } from '../shell/control-plane';
import { KongSpec } from './kong-spec';

const SPECS = '/work/shared/reference/openapi';
const specs = {
  'OSS 3.9': new KongSpec(join(SPECS, 'kong-admin-oss-3.9.openapi.yaml'), { lenientNulls: true }),
  'EE 3.15': new KongSpec(join(SPECS, 'kong-admin-ee-3.15.openapi.yaml'), { lenientNulls: false }),
};

let cp: RunningControlPlane;
interface Exchange {
  method: string;
  path: string;
  status: number;
  body: unknown;
}
const exchanges: Record<string, Exchange[]> = { services: [], routes: [], consumers: [], plugins: [] };

async function call(entity: string, method: 'get' | 'post', path: string, body?: object): Promise<Record<string, unknown>> {
  const res = await request(cp.url)[method](path).send(body);
  expect(res.status).toBe(method === 'post' ? 201 : 200);
  exchanges[entity].push({ method: method.toUpperCase(), path, status: res.status, body: res.body });
  return res.body;
}

beforeAll(async () => {
  cp = await startTestControlPlane();
  const service = await call('services', 'post', '/services', {
    name: 'orders', url: 'https://orders.internal:8443/v1', tags: ['team-a'], retries: 3, tls_verify: true,
  });
  await call('services', 'post', '/services', { host: 'plain.internal' });
  await call('services', 'get', `/services/${service.id}`);
  await call('services', 'get', '/services/orders');
  await call('services', 'get', '/services');
  await call('services', 'get', '/services?size=1');

  const route = await call('routes', 'post', '/routes', {
    name: 'orders-route', paths: ['/orders'], methods: ['GET', 'POST'], hosts: ['api.example'], headers: { 'x-team': ['a'] },
    service: { id: service.id }, tags: ['team-a'],
  });
  await call('routes', 'post', `/services/${service.id}/routes`, { paths: ['/nested'] });
  await call('routes', 'get', `/routes/${route.id}`);
  await call('routes', 'get', '/routes');

  const consumer = await call('consumers', 'post', '/consumers', { username: 'alice', custom_id: 'c-1', tags: ['vip'] });
  await call('consumers', 'post', '/consumers', { custom_id: 'only-custom' });
  await call('consumers', 'get', `/consumers/${consumer.id}`);
  await call('consumers', 'get', '/consumers');

  const plugin = await call('plugins', 'post', '/plugins', { name: 'key-auth', service: { id: service.id }, config: { key_names: ['token'] } });
  await call('plugins', 'post', '/plugins', { name: 'key-auth', instance_name: 'global-key-auth' });
  await call('plugins', 'get', `/plugins/${plugin.id}`);
  await call('plugins', 'get', '/plugins');
});
afterAll(async () => {
  await cp.stop();
  for (const [name, spec] of Object.entries(specs)) {
    if (spec.notes.size) console.log(`${name} compensations:\n  - ${[...spec.notes].join('\n  - ')}`);
  }
});

describe.each(Object.entries(specs))("our responses validate against Kong's %s response schemas", (_name, spec) => {
  test.each(['services', 'routes', 'consumers', 'plugins'])('%s: create, fetch, list', (entity) => {
    const results = exchanges[entity].map((x) => ({ call: `${x.method} ${x.path} -> ${x.status}`, result: spec.check(x.method, x.path, x.status, x.body) }));
    const documented = results.filter((r) => r.result !== null);
    // Every exchange has a documented response in Kong's document, and none violates it.
    expect(results.filter((r) => r.result === null).map((r) => r.call)).toEqual([]);
    expect(documented.filter((r) => r.result!.errors.length).map((r) => ({ call: r.call, errors: r.result!.errors }))).toEqual([]);
  });
});

describe('the checker itself', () => {
  test.each(Object.entries(specs))('%s rejects a service with a mistyped field', (_name, spec) => {
    const service = exchanges.services.find((x) => x.method === 'GET' && x.path === '/services/orders')!.body as object;
    const result = spec.check('GET', '/services/orders', 200, { ...service, port: '443' });
    expect(result?.errors.some((e) => e.startsWith('/port must be integer'))).toBe(true);
  });

  test('EE 3.15 rejects unknown fields', () => {
    const service = exchanges.services.find((x) => x.method === 'GET' && x.path === '/services/orders')!.body as object;
    const result = specs['EE 3.15'].check('GET', '/services/orders', 200, { ...service, bogus_field: 1 });
    expect(result?.errors.some((e) => e.includes('must NOT have additional properties'))).toBe(true);
  });
});
