// `/config` with a database (kong-admin-api.md §3.1, §8.2, §8.3): the route exists, as in Kong, but answers 400.
import { http } from '../../support/http';
import { startTestControlPlane, type RunningControlPlane } from './control-plane';

const ONLY_DBLESS = { message: 'this endpoint is only available when Kong is configured to not use a database' };

describe('/config with a database', () => {
  let cp: RunningControlPlane;

  beforeAll(async () => {
    cp = await startTestControlPlane();
  });

  afterAll(async () => {
    await cp?.stop();
  });

  it.each([
    ['GET', undefined, undefined],
    ['POST', { _format_version: '3.0', services: [{ name: 's', host: 'h.test' }] }, undefined],
    ['POST', { config: '_format_version: "3.0"\n' }, undefined],
    ['POST', 'config=x', { 'content-type': 'application/x-www-form-urlencoded' }],
  ])('%s /config is 400 "only available ... not use a database" (body %j) and stores nothing', async (method, body, headers) => {
    const reply = await http(method, `${cp.url}/config`, { body, headers });
    expect(reply.status).toBe(400);
    expect(reply.json).toEqual(ONLY_DBLESS);
    expect((await http('GET', `${cp.url}/services`)).json.data).toEqual([]);
  });

  it('HEAD /config is 400 with no body', async () => {
    const reply = await http('HEAD', `${cp.url}/config`);
    expect(reply.status).toBe(400);
    expect(reply.text).toBe('');
  });

  it('GET /endpoints lists /config and OPTIONS /config allows GET and POST', async () => {
    expect((await http('GET', `${cp.url}/endpoints`)).json.data).toContain('/config');
    const options = await http('OPTIONS', `${cp.url}/config`);
    expect(options.status).toBe(204);
    expect(options.headers.allow).toBe('GET, HEAD, OPTIONS, POST');
  });

  it.each(['PUT', 'PATCH', 'DELETE'])('%s /config is 405', async (method) => {
    const reply = await http(method, `${cp.url}/config`);
    expect(reply.status).toBe(405);
    expect(reply.json).toEqual({ message: 'Method not allowed' });
  });
});
