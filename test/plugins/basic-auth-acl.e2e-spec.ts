// basic-auth and acl through real traffic, and two auth plugins combined as a logical OR with anonymous.
import { createKit, type Kit } from './support/kit';

const basic = (user: string, pass: string) => 'Basic ' + Buffer.from(`${user}:${pass}`).toString('base64');

describe('basic-auth + acl (proxy)', () => {
  let kit: Kit;

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const service = b.service(kit.upstream.port);
    const ba = b.route(service, ['/basic']);
    const hidden = b.route(service, ['/hidden']);
    const admins = b.route(service, ['/admins']);
    const noDevs = b.route(service, ['/no-devs']);
    const groupsHidden = b.route(service, ['/groups-hidden']);
    const either = b.route(service, ['/either']);
    const aclOnly = b.route(service, ['/acl-only']);
    const bob = b.consumer('bob');
    const carol = b.consumer('carol');
    b.consumer('anon');
    // plain passwords, as in a declarative file: the node hashes them on load as Kong does
    b.basicAuth(bob, 'bob', 's3cret');
    b.basicAuth(carol, 'carol', 'pw');
    b.keyAuth(carol, 'carol-key');
    b.acl(bob, 'admins');
    b.acl(bob, 'devs');
    b.acl(carol, 'users');
    for (const r of [ba, admins, noDevs, groupsHidden]) b.plugin('basic-auth', {}, { route: r });
    b.plugin('basic-auth', { hide_credentials: true }, { route: hidden });
    b.plugin('acl', { allow: ['admins'] }, { route: admins });
    b.plugin('acl', { deny: ['devs'] }, { route: noDevs });
    b.plugin('acl', { allow: ['admins', 'users'], hide_groups_header: true }, { route: groupsHidden });
    b.plugin('basic-auth', { anonymous: 'anon' }, { route: either });
    b.plugin('key-auth', { anonymous: 'anon' }, { route: either });
    b.plugin('acl', { allow: ['x'] }, { route: aclOnly });
    await kit.start();
  });
  afterAll(() => kit.close());

  it.each([
    ['no header', undefined],
    ['wrong password', basic('bob', 'nope')],
    ['unknown user', basic('zed', 's3cret')],
    ['not basic', 'Bearer abc'],
  ])('basic-auth rejects %s with 401 Unauthorized', async (_n, authorization) => {
    const res = await kit.get('/basic/x', authorization ? { authorization } : {});
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Unauthorized');
    expect(res.headers['www-authenticate']).toBe('Basic realm="service"');
  });

  it('basic-auth accepts the right password and names the credential by username', async () => {
    const res = await kit.get('/basic/x', { authorization: basic('bob', 's3cret') });
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('bob');
    expect(res.json.headers['x-credential-identifier']).toBe('bob');
    expect(res.json.headers.authorization).toBe(basic('bob', 's3cret'));
    expect(res.json.headers['x-consumer-groups']).toBeUndefined();
  });

  it('hide_credentials removes Authorization', async () => {
    const res = await kit.get('/hidden/x', { authorization: basic('bob', 's3cret') });
    expect(res.status).toBe(200);
    expect(res.json.headers.authorization).toBeUndefined();
  });

  it.each([
    ['/admins', 'bob', 's3cret', 200],
    ['/admins', 'carol', 'pw', 403],
    ['/no-devs', 'bob', 's3cret', 403],
    ['/no-devs', 'carol', 'pw', 200],
    ['/groups-hidden', 'carol', 'pw', 200],
  ])('acl %s as %s -> %i', async (path, user, pass, status) => {
    const res = await kit.get(`${path}/x`, { authorization: basic(user as string, pass as string) });
    expect(res.status).toBe(status);
    if (status === 403) expect(res.json.message).toBe('You cannot consume this service');
  });

  it('acl tells the upstream the groups unless hidden', async () => {
    const shown = await kit.get('/admins/x', { authorization: basic('bob', 's3cret') });
    // Kong lists the groups in the order its store pages acls (by id), so only the set is fixed.
    expect(String(shown.json.headers['x-consumer-groups']).split(', ').sort()).toEqual(['admins', 'devs']);
    const hidden = await kit.get('/groups-hidden/x', { authorization: basic('carol', 'pw') });
    expect(hidden.json.headers['x-consumer-groups']).toBeUndefined();
  });

  it('acl without an authenticated consumer -> 401', async () => {
    const res = await kit.get('/acl-only/x');
    expect(res.status).toBe(401);
    expect(res.json.message).toBe('Unauthorized');
  });

  it('two auth plugins with anonymous: either credential works, none -> anonymous', async () => {
    const viaKey = await kit.get('/either/x', { apikey: 'carol-key' });
    expect(viaKey.json.headers['x-consumer-username']).toBe('carol');
    expect(viaKey.json.headers['x-anonymous-consumer']).toBeUndefined();
    const viaBasic = await kit.get('/either/x', { authorization: basic('bob', 's3cret') });
    expect(viaBasic.json.headers['x-consumer-username']).toBe('bob');
    expect(viaBasic.json.headers['x-anonymous-consumer']).toBeUndefined();
    const none = await kit.get('/either/x');
    expect(none.json.headers['x-consumer-username']).toBe('anon');
    expect(none.json.headers['x-anonymous-consumer']).toBe('true');
  });
});
