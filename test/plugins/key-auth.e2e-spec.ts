// key-auth through real traffic: where the key may come from, Kong's 401 bodies, consumer headers, anonymous.
import { connect } from 'node:net';
import { createKit, type Kit } from './support/kit';

describe('key-auth (proxy)', () => {
  let kit: Kit;
  let consumerId: string;
  let credentialId: string;

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    const service = b.service(kit.upstream.port);
    const plain = b.route(service, ['/plain']);
    const hidden = b.route(service, ['/hidden']);
    const anon = b.route(service, ['/anon']);
    const body = b.route(service, ['/body']);
    const alice = b.consumer('alice', { custom_id: 'c-1' });
    b.consumer('guest');
    consumerId = alice.id;
    credentialId = b.keyAuth(alice, 'alice-key').id;
    b.plugin('key-auth', {}, { route: plain });
    b.plugin('key-auth', { hide_credentials: true, key_names: ['apikey', 'x-api-key'] }, { route: hidden });
    b.plugin('key-auth', { anonymous: 'guest' }, { route: anon });
    b.plugin('key-auth', { key_in_body: true }, { route: body });
    await kit.start();
  });
  afterAll(() => kit.close());

  it.each([
    ['no key', '/plain/x', {}, 401, 'No API key found in request'],
    ['unknown key', '/plain/x', { apikey: 'nope' }, 401, 'Unauthorized'],
    ['unknown key in query', '/plain/x?apikey=nope', {}, 401, 'Unauthorized'],
    ['duplicate query key', '/plain/x?apikey=a&apikey=b', {}, 400, 'Duplicate API key found'],
  ])('%s (%s)', async (_name, path, headers, status, message) => {
    const res = await kit.get(path, headers as Record<string, string>);
    expect(res.status).toBe(status);
    expect(res.json.message).toBe(message);
    expect(typeof res.json.request_id).toBe('string');
    if (status === 401) expect(res.headers['www-authenticate']).toBe('Key realm="kong"');
    expect(kit.upstream.requests).toBe(0);
  });

  it('a valid key in a header reaches the upstream with the consumer headers', async () => {
    const res = await kit.get('/plain/x', { apikey: 'alice-key', 'x-anonymous-consumer': 'spoofed' });
    expect(res.status).toBe(200);
    const h = res.json.headers;
    expect(h['x-consumer-id']).toBe(consumerId);
    expect(h['x-consumer-username']).toBe('alice');
    expect(h['x-consumer-custom-id']).toBe('c-1');
    expect(h['x-credential-identifier']).toBe(credentialId);
    expect(h['x-anonymous-consumer']).toBeUndefined();
    expect(h.apikey).toBe('alice-key');
  });

  it('Expect: 100-continue: a refused request gets its 401 without 100 Continue; an accepted one gets 100 and its body proxied', async () => {
    const port = Number(new URL(kit.proxy).port);
    const exchange = (head: string, body: string) => new Promise<string>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      let text = '';
      socket.on('data', (c: Buffer) => {
        text += c.toString('latin1');
        // the client's side of 100-continue: the body once the server asks for it
        if (text.startsWith('HTTP/1.1 100 Continue\r\n\r\n') && body !== '') {
          socket.write(body);
          body = '';
        }
      });
      socket.on('close', () => resolve(text));
      socket.on('error', () => resolve(text));
      socket.write(head);
    });
    const payload = '{"hello":"world"}';
    const request = (key: string) => `POST /plain/x HTTP/1.1\r\nHost: a\r\n${key}Content-Type: application/json\r\nContent-Length: ${payload.length}\r\nExpect: 100-continue\r\nConnection: close\r\n\r\n`;
    const refused = await exchange(request(''), payload);
    expect(refused).toMatch(/^HTTP\/1\.1 401 /);
    expect(refused).not.toContain('100 Continue');
    const accepted = await exchange(request('apikey: alice-key\r\n'), payload);
    expect(accepted).toMatch(/^HTTP\/1\.1 100 Continue\r\n\r\nHTTP\/1\.1 200 /);
    const final = accepted.slice(accepted.indexOf('HTTP/1.1 200 '));
    expect(final.slice(final.indexOf('\r\n\r\n') + 4)).toContain(JSON.stringify(payload).slice(1, -1)); // the echo of the body
  });

  it('a valid key in the query string is accepted', async () => {
    const res = await kit.get('/plain/x?apikey=alice-key&q=1');
    expect(res.status).toBe(200);
    expect(res.json.query).toEqual({ apikey: 'alice-key', q: '1' });
  });

  it('hide_credentials strips the key from header and query', async () => {
    const viaHeader = await kit.get('/hidden/x', { 'x-api-key': 'alice-key' });
    expect(viaHeader.status).toBe(200);
    expect(viaHeader.json.headers['x-api-key']).toBeUndefined();
    const viaQuery = await kit.get('/hidden/x?apikey=alice-key&keep=1');
    expect(viaQuery.status).toBe(200);
    expect(viaQuery.json.query).toEqual({ keep: '1' });
  });

  it('anonymous: no key -> the anonymous consumer, flagged', async () => {
    const res = await kit.get('/anon/x');
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('guest');
    expect(res.json.headers['x-anonymous-consumer']).toBe('true');
    expect(res.json.headers['x-credential-identifier']).toBeUndefined();
  });

  it('key_in_body reads form and JSON bodies', async () => {
    const form = await kit.send('POST', '/body/x', { body: 'apikey=alice-key&a=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(200);
    expect(form.json.body).toBe('apikey=alice-key&a=1');
    const json = await kit.send('POST', '/body/x', { body: { apikey: 'alice-key' } });
    expect(json.status).toBe(200);
    const none = await kit.send('POST', '/body/x', { body: { other: 1 } });
    expect(none.status).toBe(401);
  });

  it('a configuration loaded later (POST /config) is what the proxy serves next', async () => {
    expect((await kit.get('/plain/x', { apikey: 'later-key' })).status).toBe(401);
    const bob = kit.builder.consumer('bob');
    kit.builder.keyAuth(bob, 'later-key');
    await kit.start();
    const res = await kit.get('/plain/x', { apikey: 'later-key' });
    expect(res.status).toBe(200);
    expect(res.json.headers['x-consumer-username']).toBe('bob');
  });
});
