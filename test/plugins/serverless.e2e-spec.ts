// pre-function and post-function through a real `tollgate start` node configured over the Admin API: Kong's
// PDK snippets on live traffic, their failures, the instruction budget, set_target, set_serialize_value reaching
// file-log, and the config-time refusals (unknown PDK names, syntax errors, untrusted_lua = off).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

describe('pre-function / post-function on a running node', () => {
  let node: RunningNode;
  let upstream: EchoUpstream;
  let other: EchoUpstream;
  let admin: string;
  let proxy: string;
  let logFile: string;

  const route = async (name: string, plugins: Array<{ name: string; config: Record<string, unknown> }>) => {
    expect((await http('POST', `${admin}/services/echo/routes`, { body: { name, paths: [`/${name}`] } })).status).toBe(201);
    for (const p of plugins) {
      const r = await http('POST', `${admin}/routes/${name}/plugins`, { body: p });
      if (r.status !== 201) throw new Error(`${name}: ${r.text}`);
    }
  };
  const pre = (...access: string[]) => ({ name: 'pre-function', config: { access } });

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    other = await startEchoUpstream({ 'x-upstream': 'other' });
    const prefix = tempPrefix();
    logFile = join(prefix, 'requests.log');
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    await route('pre', [pre('kong.service.request.set_header("x-pre", kong.request.get_header("x-in") or "none")')]);
    await route('exit', [pre('kong.response.exit(418, { message = "teapot" }, { ["X-Lua"] = "yes" })')]);
    await route('boom', [pre('error("boom in a snippet")')]);
    await route('loop', [pre('while true do end')]);
    await route('target', [pre(`kong.service.set_target("127.0.0.1", ${other.port})`)]);
    expect((await http('POST', `${admin}/upstreams`, { body: { name: 'other-up' } })).status).toBe(201);
    expect((await http('POST', `${admin}/upstreams/other-up/targets`, { body: { target: `127.0.0.1:${other.port}` } })).status).toBe(201);
    await route('upstream', [pre('assert(kong.service.set_upstream("other-up"))')]);
    await route('nosuch', [pre('local ok, err = kong.service.set_upstream("nope"); kong.response.exit(404, { message = err })')]);
    await route('body', [{ name: 'post-function', config: { body_filter: ['kong.response.set_raw_body(kong.response.get_raw_body():upper())'] } }]);
    await route('hosthdr', [pre('kong.service.request.set_header("Host", "changed.test")')]);
    await route('say', [pre('ngx.say("hello ", ngx.var.arg_name)', 'return ngx.exit(ngx.HTTP_OK)')]);
    await route('closure', [pre('local n = 0\nreturn function() n = n + 1; kong.service.request.set_header("x-n", n) end')]);
    await route('phases', [
      pre('kong.ctx.shared.from_pre = kong.router.get_route().name'),
      { name: 'post-function', config: { header_filter: ['kong.response.set_header("x-route", kong.ctx.shared.from_pre)'] } },
    ]);
    await route('logged', [
      pre('kong.log.set_serialize_value("request.tenant", kong.request.get_header("x-tenant"))'),
      { name: 'file-log', config: { path: logFile } },
    ]);
    await waitFor(async () => ((await http('GET', `${proxy}/logged`)).status === 200 ? true : undefined), 'the routes to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await upstream?.close();
    await other?.close();
  });

  it('a one-line snippet changes the upstream request', async () => {
    const r = await http('GET', `${proxy}/pre/x`, { headers: { 'x-in': 'abc' } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-pre']).toBe('abc');
  });

  it('kong.response.exit answers with the snippet\'s status, body and headers', async () => {
    const r = await http('GET', `${proxy}/exit`);
    expect(r.status).toBe(418);
    expect(r.json).toEqual({ message: 'teapot' });
    expect(r.headers['x-lua']).toBe('yes');
  });

  it('a snippet that throws fails the request with Kong\'s 500 body', async () => {
    const r = await http('GET', `${proxy}/boom`);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ message: 'An unexpected error occurred', request_id: r.headers['x-kong-request-id'] });
    await waitFor(async () => (node.logs.some((l) => l.includes('boom in a snippet')) ? true : undefined), 'the Lua error in the log');
  });

  it('an endless loop is stopped by the instruction budget and the worker keeps serving', async () => {
    const r = await http('GET', `${proxy}/loop`);
    expect(r.status).toBe(500);
    expect((await http('GET', `${proxy}/pre`)).status).toBe(200);
    await waitFor(async () => (node.logs.some((l) => l.includes('instruction budget exceeded')) ? true : undefined), 'the budget error in the log');
  });

  it('kong.service.set_target sends the request to another address', async () => {
    const r = await http('GET', `${proxy}/target/here`);
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('other');
    expect(r.json.path).toBe('/here');
  });

  it('kong.service.set_upstream balances over another upstream; an unknown name is an error value', async () => {
    const r = await http('GET', `${proxy}/upstream/x`);
    expect(r.status).toBe(200);
    expect(r.headers['x-upstream']).toBe('other');
    const missing = await http('GET', `${proxy}/nosuch`);
    expect(missing.status).toBe(404);
    expect(missing.json).toEqual({ message: "could not find an Upstream named 'nope'" });
  });

  it('setting the Host header changes the Host the upstream sees, and nothing else', async () => {
    const r = await http('GET', `${proxy}/hosthdr`, { headers: { 'x-keep': 'yes' } });
    expect(r.json.headers.host).toBe('changed.test');
    expect(r.json.headers['x-keep']).toBe('yes');
  });

  it('a body_filter snippet rewrites the response body', async () => {
    const r = await http('GET', `${proxy}/body/abc`);
    expect(r.status).toBe(200);
    expect(r.text).toContain('"PATH":"/ABC"');
  });

  it('ngx.say and ngx.exit answer the request', async () => {
    const r = await http('GET', `${proxy}/say?name=lua`);
    expect(r.status).toBe(200);
    expect(r.text).toBe('hello lua\n');
  });

  it("Kong's closure form keeps its upvalues across requests", async () => {
    const a = Number((await http('GET', `${proxy}/closure`)).json.headers['x-n']);
    const b = Number((await http('GET', `${proxy}/closure`)).json.headers['x-n']);
    expect(b).toBe(a + 1);
  });

  it('kong.ctx.shared carries values from access to a post-function header_filter', async () => {
    const r = await http('GET', `${proxy}/phases`);
    expect(r.headers['x-route']).toBe('phases');
  });

  it('kong.log.set_serialize_value reaches the log plugins (file-log)', async () => {
    await http('GET', `${proxy}/logged`, { headers: { 'x-tenant': 'acme' } });
    const line = await waitFor(async () => {
      if (!existsSync(logFile)) return undefined;
      return readFileSync(logFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l)).find((d) => d.request.tenant === 'acme');
    }, 'the file-log line');
    expect(line.route.name).toBe('logged');
  });

  it('POST /plugins refuses a snippet that uses a PDK function Tollgate lacks, naming it', async () => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', config: { access: ['kong.cache:get("x")'] } } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual({ config: { access: ["error parsing pre-function: kong.cache is not available in Tollgate's PDK"] } });
  });

  it('POST /plugins refuses a snippet that does not parse', async () => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'post-function', config: { log: ['if then'] } } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config.log[0]).toMatch(/^error parsing post-function: \[string "if then"\]:1: /);
  });

  it('POST /plugins refuses a serverless plugin scoped to a consumer (Kong\'s no_consumer)', async () => {
    const consumer = await http('POST', `${admin}/consumers`, { body: { username: 'someone' } });
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', consumer: { id: consumer.json.id }, config: { access: ['return'] } } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual({ consumer: 'value must be null' });
  });

  it('GET /schemas/plugins/pre-function lists the phase arrays', async () => {
    const r = await http('GET', `${admin}/schemas/plugins/pre-function`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual(['certificate', 'rewrite', 'access', 'header_filter', 'body_filter', 'log']);
  });
});

describe('untrusted_lua = off', () => {
  let node: RunningNode;
  afterAll(async () => { if (node) await stopNode(node); });

  it('refuses the serverless plugins with Kong\'s message', async () => {
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { untrusted_lua: 'off' })), '-p', prefix]);
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', config: { access: ['return'] } } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual({ config: { access: ["loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'"] } });
  });
});
