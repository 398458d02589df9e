import { createServer, type Server } from 'node:net';
import request from 'supertest';
import { parseListen } from '@tollgate/config';
import { startControlPlane } from '../../../apps/admin/src/main';
import { startTestControlPlane, testSettings, TEST_PLUGINS, type RunningControlPlane } from './control-plane';

describe('admin_access_allow', () => {
  let denied: RunningControlPlane;
  let allowed: RunningControlPlane;
  beforeAll(async () => {
    denied = await startTestControlPlane({ admin_access_allow: '10.0.0.0/8, fd00::/8' });
    allowed = await startTestControlPlane({ admin_access_allow: '10.0.0.0/8, 127.0.0.0/8' });
  });
  afterAll(async () => {
    await denied.stop();
    await allowed.stop();
  });

  test.each([
    ['GET', '/'],
    ['GET', '/services'],
    ['POST', '/services'],
    ['GET', '/no-such-path'],
    ['OPTIONS', '/services'],
    ['GET', '/docs'],
  ])('%s %s from 127.0.0.1 outside the list is 403 before any handler', async (method, path) => {
    const res = await request(denied.url)[method.toLowerCase() as 'get'](path);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ message: 'Forbidden' });
  });

  test('GET / from an allowed network is 200', async () => {
    expect((await request(allowed.url).get('/')).status).toBe(200);
  });

  test('a denied write stores nothing', async () => {
    await request(denied.url).post('/services').send({ name: 'nope', host: 'x.test' });
    expect((await denied.handle.dao.list('services')).data).toEqual([]);
  });
});

describe('admin_api_key', () => {
  let cp: RunningControlPlane;
  beforeAll(async () => {
    cp = await startTestControlPlane({ admin_api_key: 'correct horse' });
  });
  afterAll(() => cp.stop());

  test.each([
    ['missing', undefined],
    ['wrong', 'incorrect horse'],
    ['prefix of the key', 'correct'],
    ['empty', ''],
  ])('GET /services with a %s Kong-Admin-Token is 401', async (_label, token) => {
    const req = request(cp.url).get('/services');
    const res = await (token === undefined ? req : req.set('Kong-Admin-Token', token));
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ message: 'Unauthorized' });
  });

  test('GET /services with the right token is 200', async () => {
    const res = await request(cp.url).get('/services').set('Kong-Admin-Token', 'correct horse');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ data: [], next: null });
  });

  test('unknown paths are 401 too (no route discovery without the key)', async () => {
    const res = await request(cp.url).get('/no-such-path');
    expect(res.status).toBe(401);
  });

  test('GET /docs opens without the token; GET /docs-json needs it', async () => {
    expect((await request(cp.url).get('/docs')).status).toBe(200);
    expect((await request(cp.url).get('/docs-json')).status).toBe(401);
    const doc = await request(cp.url).get('/docs-json').set('Kong-Admin-Token', 'correct horse');
    expect(doc.status).toBe(200);
    expect(doc.body.security).toEqual([{ adminToken: [] }]);
    expect(doc.body.components.securitySchemes.adminToken).toEqual({ type: 'apiKey', in: 'header', name: 'Kong-Admin-Token' });
  });
});

describe('refusing an unprotected non-loopback admin_listen', () => {
  const REFUSAL =
    'refusing to start: admin_listen binds 0.0.0.0:0, which other hosts can reach, and the Admin API is unprotected ' +
    '(anyone who can connect could reconfigure the gateway). Protect it with admin_access_allow (CIDRs of trusted clients), ' +
    'admin_api_key (clients send the Kong-Admin-Token header) or admin_ssl_client_ca (mutual TLS on ssl listeners); ' +
    'or bind admin_listen to 127.0.0.1; or set admin_allow_insecure = on to accept the risk.';
  /** Settings that bypass the configuration checks, as a program embedding the control plane could build. */
  const exposedSettings = (listen: string) => {
    const { settings } = testSettings();
    return { ...settings, admin_listeners: parseListen('admin_listen', listen, 'admin').listeners };
  };

  test('0.0.0.0 without protection is refused by the configuration (start and config check), saying why and how', () => {
    expect(() => testSettings({ admin_listen: '0.0.0.0:0' })).toThrow(REFUSAL);
  });

  test('the Admin API bootstrap refuses it too, for settings built by hand', async () => {
    await expect(startControlPlane(exposedSettings('0.0.0.0:0'))).rejects.toThrow(REFUSAL);
  });

  test('[::] is refused too', async () => {
    await expect(startControlPlane(exposedSettings('[::]:0'))).rejects.toThrow(/^refusing to start: admin_listen binds \[::\]:0,/);
  });

  test.each([
    ['admin_allow_insecure = on', { admin_allow_insecure: 'on' }],
    ['admin_access_allow', { admin_access_allow: '127.0.0.0/8' }],
    ['admin_api_key', { admin_api_key: 'k' }],
  ])('0.0.0.0 starts with %s', async (_label, extra) => {
    const cp = await startTestControlPlane({ admin_listen: '0.0.0.0:0', ...extra }, { plugins: TEST_PLUGINS });
    try {
      expect(cp.handle.listeners[0]).toMatchObject({ key: 'admin_listen', address: '0.0.0.0' });
      expect(cp.handle.listeners[0].port).toBeGreaterThan(0);
    } finally {
      await cp.stop();
    }
  });
});

describe('listeners', () => {
  test('a port in use fails fast naming admin_listen and the address', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const { settings } = testSettings({ admin_listen: `127.0.0.1:${port}` });
      await expect(startControlPlane(settings)).rejects.toThrow(
        `admin_listen: cannot listen on 127.0.0.1:${port} (127.0.0.1:${port}): address already in use`,
      );
    } finally {
      blocker.close();
    }
  });

  test('several entries with backlog and so_keepalive flags all serve', async () => {
    const cp = await startTestControlPlane({ admin_listen: '127.0.0.1:0 backlog=64 so_keepalive=on, 127.0.0.1:0 so_keepalive=30::' });
    try {
      expect(cp.handle.listeners).toHaveLength(2);
      for (const l of cp.handle.listeners) {
        const res = await request(`http://127.0.0.1:${l.port}`).get('/status');
        expect(res.status).toBe(200);
      }
    } finally {
      await cp.stop();
    }
  });

  test('close() does not wait for idle keep-alive connections and then refuses new ones', async () => {
    const cp = await startTestControlPlane();
    const agent = new (require('node:http').Agent)({ keepAlive: true });
    await request(cp.url).get('/status').agent(agent);
    const started = Date.now();
    await cp.stop();
    expect(Date.now() - started).toBeLessThan(1500); // shutdown timeout is 2000 ms
    await expect(request(cp.url).get('/status')).rejects.toThrow(/ECONNREFUSED/);
    agent.destroy();
  });
});
