// bot-detection through real `tollgate start` nodes: Kong's bundled user-agent rules, allow/deny lists, its
// 403 body, and the config-time refusals; from the Admin API and from a declarative file on a DB-less node.
import { writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

const CHROME = 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36';
const GOOGLEBOT = 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)';

describe('bot-detection on a running node', () => {
  let node: RunningNode;
  let dbless: RunningNode;
  let upstream: EchoUpstream;
  let admin: string;
  let proxy: string;

  const route = async (name: string, config: Record<string, unknown>) => {
    expect((await http('POST', `${admin}/services/echo/routes`, { body: { name, paths: [`/${name}`] } })).status).toBe(201);
    const r = await http('POST', `${admin}/routes/${name}/plugins`, { body: { name: 'bot-detection', config } });
    if (r.status !== 201) throw new Error(`${name}: ${r.text}`);
    return r.json;
  };
  const get = (path: string, userAgent?: string) => http('GET', `${proxy}${path}`, { headers: userAgent === undefined ? {} : { 'user-agent': userAgent } });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    await route('default', {});
    await route('lists', { allow: ['Googlebot'], deny: ['^HELLOWORLD', 'evil-agent/\\d+'] });
    await waitFor(async () => ((await get('/lists', 'HELLOWORLD/1.0')).status === 403 ? true : undefined), 'the routes to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    if (dbless) await stopNode(dbless);
    await upstream?.close();
  });

  it.each([
    ['a browser', CHROME],
    ['curl', 'curl/8.5.0'],
    ['a client that no rule knows', 'HELLOWORLD/1.0'],
  ])('lets %s through', async (_what, userAgent) => {
    const r = await get('/default', userAgent);
    expect(r.status).toBe(200);
    expect(r.json.headers['user-agent']).toBe(userAgent);
  });

  it('lets a request without a User-Agent through', async () => {
    const r = await get('/default');
    expect(r.status).toBe(200);
    expect(r.json.headers['user-agent']).toBeUndefined();
  });

  it.each([
    ['Googlebot', GOOGLEBOT],
    ['bingbot', 'Mozilla/5.0 (compatible; bingbot/2.0; +http://www.bing.com/bingbot.htm)'],
    ['facebook', 'facebookexternalhit/1.1'],
    ['axios', 'axios/1.6.2'],
    ['a generic crawler', 'SomeCrawler/3.1'],
  ])('refuses %s with Kong\'s 403 and does not call the upstream', async (_what, userAgent) => {
    const before = upstream.requests;
    const r = await get('/default', userAgent);
    expect(r.status).toBe(403);
    expect(r.json.message).toBe('Forbidden');
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    expect(upstream.requests).toBe(before);
  });

  it('refuses a request with two User-Agent headers with Kong\'s 400', async () => {
    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(node.port('proxy_listen'), '127.0.0.1', () => {
        socket.end(`GET /default HTTP/1.1\r\nHost: x\r\nUser-Agent: ${CHROME}\r\nUser-Agent: curl/8.5.0\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      socket.on('data', (c) => (text += c));
      socket.on('end', () => resolve(text));
      socket.on('error', reject);
    });
    expect(raw).toMatch(/^HTTP\/1\.1 400 /);
    expect(JSON.parse(raw.slice(raw.indexOf('\r\n\r\n') + 4)).message).toBe('Only one User-Agent header allowed');
  });

  it('allow lets a known bot through; deny refuses what the rules let pass', async () => {
    expect((await get('/lists', GOOGLEBOT)).status).toBe(200);
    expect((await get('/lists', 'HELLOWORLD/1.0')).status).toBe(403);
    expect((await get('/lists', 'my evil-agent/12')).status).toBe(403);
    expect((await get('/lists', CHROME)).status).toBe(200);
    // the bundled rules still apply next to the lists
    expect((await get('/lists', 'okhttp/4.9.3')).status).toBe(403);
  });

  it('a configuration change takes effect (the compiled lists follow the config)', async () => {
    const plugins = await http('GET', `${admin}/routes/lists/plugins`);
    const id = plugins.json.data[0].id;
    expect((await http('PATCH', `${admin}/plugins/${id}`, { body: { config: { allow: [], deny: ['^Mozilla'] } } })).status).toBe(200);
    await waitFor(async () => ((await get('/lists', CHROME)).status === 403 ? true : undefined), 'the new deny list');
    expect((await get('/lists', 'HELLOWORLD/1.0')).status).toBe(200);
    expect((await get('/lists', GOOGLEBOT)).status).toBe(403);
  });

  it('the schema has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${admin}/schemas/plugins/bot-detection`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual(['allow', 'deny']);
    expect(config.fields[0].allow).toMatchObject({ type: 'array', default: [], elements: { type: 'string' } });
    expect(config.fields[1].deny).toMatchObject({ type: 'array', default: [], elements: { type: 'string' } });
  });

  it('refuses an invalid regex and a consumer scope with Kong\'s messages', async () => {
    const bad = await http('POST', `${admin}/plugins`, { body: { name: 'bot-detection', config: { deny: ['ok', '(unclosed'] } } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields.config).toEqual({ deny: [null, 'not a valid regex: (unclosed'] });
    expect((await http('POST', `${admin}/consumers`, { body: { username: 'alice' } })).status).toBe(201);
    const scoped = await http('POST', `${admin}/plugins`, { body: { name: 'bot-detection', consumer: { username: 'alice' } } });
    expect(scoped.status).toBe(400);
    expect(scoped.json.fields.consumer).toBe('value must be null');
  });

  it('works from a declarative file on a DB-less node', async () => {
    const prefix = tempPrefix();
    const file = join(prefix, 'kong.yml');
    writeFileSync(file, JSON.stringify({
      _format_version: '3.0',
      services: [{ name: 'echo', url: `http://127.0.0.1:${upstream.port}`, routes: [{ name: 'r', paths: ['/'] }] }],
      plugins: [{ name: 'bot-detection', config: { deny: ['^internal-scanner'] } }],
    }));
    dbless = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file })), '-p', prefix]);
    const url = `http://127.0.0.1:${dbless.port('proxy_listen')}/x`;
    expect((await http('GET', url, { headers: { 'user-agent': CHROME } })).status).toBe(200);
    expect((await http('GET', url, { headers: { 'user-agent': 'internal-scanner 1' } })).status).toBe(403);
    expect((await http('GET', url, { headers: { 'user-agent': GOOGLEBOT } })).status).toBe(403);
  });
});
