// redirect (Kong 3.9+) through real `tollgate start` nodes: configured over the Admin API on one, from a
// declarative file on a DB-less one. Kong answers with the status, a Location header and the body "redirecting".
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

describe('redirect on a running node', () => {
  let node: RunningNode;
  let dbless: RunningNode;
  let upstream: EchoUpstream;
  let admin: string;
  let proxy: string;

  const route = async (name: string, config: Record<string, unknown>) => {
    expect((await http('POST', `${admin}/services/echo/routes`, { body: { name, paths: [`/${name}`] } })).status).toBe(201);
    const r = await http('POST', `${admin}/routes/${name}/plugins`, { body: { name: 'redirect', config } });
    if (r.status !== 201) throw new Error(`${name}: ${r.text}`);
    return r.json;
  };

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    await route('plain', { location: 'https://example.com/landing?from=gw#top' });
    await route('keep', { location: 'https://example.com:8443/ignored?dropped=1#frag', keep_incoming_path: true, status_code: 308 });
    await waitFor(async () => ((await http('GET', `${proxy}/keep`)).status === 308 ? true : undefined), 'the routes to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    if (dbless) await stopNode(dbless);
    await upstream?.close();
  });

  it('answers 301 with the location as configured and Kong\'s body; the upstream is not called', async () => {
    const before = upstream.requests;
    const r = await http('GET', `${proxy}/plain/some/path?q=1`);
    expect(r.status).toBe(301);
    expect(r.headers.location).toBe('https://example.com/landing?from=gw#top');
    expect(r.text).toBe('redirecting');
    expect(upstream.requests).toBe(before);
  });

  it('keep_incoming_path carries the request path and query over, keeping scheme, host, port and fragment', async () => {
    const r = await http('GET', `${proxy}/keep/a/b?x=1&y=two`);
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe('https://example.com:8443/keep/a/b?x=1&y=two#frag');
  });

  it('keep_incoming_path without a query drops the location\'s own query, and uses the normalized path', async () => {
    const r = await http('GET', `${proxy}/keep/a/../c/%7Euser`);
    expect(r.status).toBe(308);
    expect(r.headers.location).toBe('https://example.com:8443/keep/c/~user#frag');
  });

  it('the schema has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${admin}/schemas/plugins/redirect`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const field = (name: string) => config.fields.find((f: Record<string, unknown>) => name in f)[name];
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual(['status_code', 'location', 'keep_incoming_path']);
    expect(field('status_code')).toMatchObject({ type: 'integer', required: true, default: 301, between: [100, 599] });
    expect(field('location')).toMatchObject({ type: 'string', required: true });
    expect(field('keep_incoming_path')).toMatchObject({ type: 'boolean', default: false });
  });

  it.each([
    [{}, { location: 'required field missing' }],
    [{ location: '/relative' }, { location: 'missing host in url' }],
    [{ location: '//example.com/x' }, { location: 'missing scheme in url' }],
    [{ location: 'https://example.com', status_code: 600 }, { status_code: 'value should be between 100 and 599' }],
  ])('refuses config %j with Kong\'s messages', async (config, errors) => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'redirect', config } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config).toEqual(errors);
  });

  it('works from a declarative file on a DB-less node', async () => {
    const prefix = tempPrefix();
    const file = join(prefix, 'kong.yml');
    writeFileSync(file, JSON.stringify({
      _format_version: '3.0',
      services: [{
        name: 'echo', url: `http://127.0.0.1:${upstream.port}`,
        routes: [{ name: 'moved', paths: ['/moved'], plugins: [{ name: 'redirect', config: { location: 'http://new.example/', keep_incoming_path: true, status_code: 302 } }] }],
      }],
    }));
    dbless = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { database: 'off', declarative_config: file })), '-p', prefix]);
    const r = await http('GET', `http://127.0.0.1:${dbless.port('proxy_listen')}/moved/here?id=7`);
    expect(r.status).toBe(302);
    expect(r.headers.location).toBe('http://new.example/moved/here?id=7');
    expect(r.text).toBe('redirecting');
  });
});
