// The Lua layer against the real phase runner (PluginRun + runAccessPhases/runHeaderFilter): snippets, the PDK
// bridge, the sandbox, the instruction budget and request-transformer templates.
import { setFlagsFromString } from 'node:v8';
import { compilePluginChains } from '../chains';
import type { HostRequest } from '../pipeline/host';
import { PluginRun } from '../pipeline/plugin-run';
import { runAccessPhases, runBodyFilter, runHeaderFilter, scheduleLog } from '../pipeline/run-phases';
import { loadPlugins } from '../registry';
import { SnapshotBuilder } from '../testing/snapshot-builder';
import { serializeLog } from '../log/serializer';
import { validatePluginConfig } from '../validate-config';
import { unknownPdkName } from './surface-check';
import { configureLua } from './settings';
import { resetLuaVm } from './vm';

const registry = loadPlugins(['bundled']);
const errors: string[] = [];
const infos: string[] = [];
const log = { debug: () => {}, info: (m: string) => void infos.push(m), warn: () => {}, error: (m: string, o?: unknown) => errors.push(`${m} ${JSON.stringify(o)}`) };

function host(over: Partial<HostRequest> = {}): HostRequest {
  return {
    method: 'GET', protocol: 'http', scheme: 'http', host: 'api.test', rawPath: '/things/42', upstreamPath: '/things/42', rawQuery: 'page=2&page=3&q=x',
    headers: { host: 'api.test', 'x-api-key': 'k1', authorization: 'Bearer abc' }, clientIp: '10.0.0.1', peerIp: '10.0.0.2',
    uriCaptures: { '0': '/things/42', '1': '42', id: '42' }, readBody: async () => Buffer.from('{"a":1}'),
    ...over,
  };
}

async function runWith(plugins: Array<[string, Record<string, unknown>]>, over: Partial<HostRequest> = {}, rows?: (b: SnapshotBuilder) => void): Promise<PluginRun> {
  const b = new SnapshotBuilder(registry);
  rows?.(b);
  const service = b.service(1);
  const route = b.route(service, ['/things']);
  for (const [name, config] of plugins) {
    const checked = validatePluginConfig(registry.schemas, name, config);
    if (!checked.ok) throw new Error(JSON.stringify(checked.fields));
    b.plugin(name, checked.value as Record<string, unknown>, { route });
  }
  const chains = compilePluginChains(b.build(), registry, { log });
  const run = new PluginRun(chains, host(over), { id: route.id, name: null, row: route }, { id: service.id, name: null, row: service }, 'req-1', log, Date.now());
  await runAccessPhases(run);
  return run;
}

const access = (...snippets: string[]): [string, Record<string, unknown>] => ['pre-function', { access: snippets }];

/** The error a PDK call raises, caught with pcall inside a snippet (`snippet` is pcall's argument list). */
async function refused(snippet: string): Promise<string> {
  errors.length = 0;
  const r = await runWith([access(`local ok, err = pcall(${snippet}); kong.response.exit(400, { message = err })`)]);
  return JSON.parse(r.response.exitResponse!.body.toString()).message;
}

beforeEach(() => { errors.length = 0; infos.length = 0; });

describe('pre-function / post-function snippets', () => {
  it('run a PDK snippet unchanged: reads and changes the upstream request', async () => {
    const run = await runWith([access(`
      local auth = kong.request.get_header("authorization")
      kong.service.request.set_header("x-seen", auth .. "|" .. kong.request.get_path() .. "|" .. kong.request.get_method())
      kong.service.request.set_path("/rewritten")
      kong.service.request.clear_header("x-api-key")`)]);
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-seen')).toBe('Bearer abc|/things/42|GET');
    expect(run.request.getPath()).toBe('/rewritten');
    expect(run.request.upstreamHeaders()['x-api-key']).toBeUndefined();
  });

  it("Kong's closure form keeps upvalues between requests; the chunk runs once", async () => {
    const snippet = 'local count = 0\nreturn function() count = count + 1; kong.service.request.set_header("x-count", tostring(count)) end';
    const b = new SnapshotBuilder(registry);
    const service = b.service(1);
    const route = b.route(service, ['/things']);
    b.plugin('pre-function', { access: [snippet] }, { route });
    const chains = compilePluginChains(b.build(), registry, { log });
    const seen: string[] = [];
    for (let i = 0; i < 3; i++) {
      const run = new PluginRun(chains, host(), { id: route.id, name: null, row: route }, null, 'r', log, Date.now());
      await runAccessPhases(run);
      seen.push(run.request.getHeader('x-count')!);
    }
    expect(seen).toEqual(['1', '2', '3']);
  });

  it('kong.response.exit ends the request with the body and headers; later snippets do not run', async () => {
    const run = await runWith([access('kong.response.exit(403, { message = "nope" }, { ["X-Why"] = "test" })', 'kong.service.request.set_header("x-after", "1")')]);
    expect(run.response.exitResponse?.status).toBe(403);
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toEqual({ message: 'nope' });
    expect(run.response.exitResponse?.headers['x-why']).toBe('test');
    expect(run.request.getHeader('x-after')).toBeUndefined();
  });

  it('ngx.say + ngx.exit answer the request; ngx.req and ngx.var read it', async () => {
    const run = await runWith([access('ngx.say("uri=", ngx.var.request_uri, " key=", ngx.req.get_headers()["X_API_KEY"], " arg=", ngx.var.arg_q)', 'ngx.exit(200)')]);
    expect(run.response.exitResponse?.status).toBe(200);
    expect(run.response.exitResponse?.body.toString()).toBe('uri=/things/42?page=2&page=3&q=x key=k1 arg=x\n');
  });

  it('ngx.exit with an error status and no content gives Kong\'s default body', async () => {
    const run = await runWith([access('return ngx.exit(ngx.HTTP_UNAUTHORIZED)')]);
    expect(run.response.exitResponse?.status).toBe(401);
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toMatchObject({ message: 'Unauthorized' });
  });

  it('a snippet that throws fails the request with Kong\'s 500 and logs the Lua error', async () => {
    const run = await runWith([access('error("boom")')]);
    expect(run.response.exitResponse?.status).toBe(500);
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toMatchObject({ message: 'An unexpected error occurred' });
    expect(errors.join('\n')).toContain('boom');
  });

  it('max_args / max_headers: Kong\'s default of 100 and its 1..1000 checks; the first ones kept, "truncated" where ngx returns it', async () => {
    const answer = async (snippet: string, over: Partial<HostRequest> = {}) => {
      errors.length = 0;
      const r = await runWith([access(`local ok, a, b, c = pcall(function() ${snippet} end); kong.response.exit(200, { ok = ok, a = a, b = b, c = c })`)], over);
      return JSON.parse(r.response.exitResponse!.body.toString());
    };
    // the host's query is page=2&page=3&q=x: each value counts, in the order sent
    expect(await answer('return kong.request.get_query(2)')).toEqual({ ok: true, a: { page: ['2', '3'] }, b: 'truncated' });
    expect(await answer('return kong.request.get_query(1)')).toEqual({ ok: true, a: { page: '2' }, b: 'truncated' });
    expect(await answer('return kong.request.get_query()')).toEqual({ ok: true, a: { page: ['2', '3'], q: 'x' } });
    const many = Array.from({ length: 101 }, (_, i) => `a${i}=${i}`).join('&');
    const byDefault = await answer('local q, err = kong.request.get_query(); local n = 0; for _ in pairs(q) do n = n + 1 end; return n, err, q.a99', { rawQuery: many });
    expect(byDefault).toEqual({ ok: true, a: 100, b: 'truncated', c: '99' });
    expect((await answer('return kong.request.get_query("2")')).a).toContain('max_args must be a number');
    expect((await answer('return kong.request.get_query(0)')).a).toContain('max_args must be >= 1');
    expect((await answer('return kong.request.get_query(1001)')).a).toContain('max_args must be <= 1000');
    const headers = await answer('local h, err = kong.request.get_headers(2); local n = 0; for _ in pairs(h) do n = n + 1 end; return n, err');
    expect(headers).toEqual({ ok: true, a: 2, b: 'truncated' });
    expect((await answer('return kong.request.get_headers(true)')).a).toContain('max_headers must be a number');
    expect((await answer('return kong.request.get_headers(5000)')).a).toContain('max_headers must be <= 1000');
    const form = { readBody: async () => Buffer.from('a=1&b=2&a=3&c=4'), headers: { host: 'api.test', 'content-type': 'application/x-www-form-urlencoded' } };
    expect(await answer('return kong.request.get_body(nil, 2)', form)).toEqual({ ok: true, a: { a: '1', b: '2' }, c: 'application/x-www-form-urlencoded' });
    expect(await answer('return kong.request.get_body()', form)).toEqual({ ok: true, a: { a: ['1', '3'], b: '2', c: '4' }, c: 'application/x-www-form-urlencoded' });
    expect((await answer('return kong.request.get_body(nil, "2")', form)).a).toContain('max_args must be a number');
    // checked for forms only, as Kong does: a JSON body ignores it
    expect((await answer('return kong.request.get_body("application/json", "x")')).a).toEqual({ a: 1 });
    // ngx's own readers: 0 is no limit, no range check
    expect(await answer('return ngx.req.get_uri_args(1)')).toEqual({ ok: true, a: { page: '2' }, b: 'truncated' });
    expect(await answer('return ngx.req.get_uri_args(0)')).toEqual({ ok: true, a: { page: ['2', '3'], q: 'x' } });
  });

  it('kong.request.get_body decodes a JSON body nested 40 levels deep (past the 20 stack slots a host function is sure of)', async () => {
    const deep = '{"a":'.repeat(40) + '1' + '}'.repeat(40);
    const run = await runWith([access('local b, err = kong.request.get_body(); local n = 0; while type(b) == "table" do b = b.a; n = n + 1 end; kong.response.exit(200, { levels = n, err = err })')], {
      readBody: async () => Buffer.from(deep), headers: { host: 'api.test', 'content-type': 'application/json' },
    });
    expect(errors).toEqual([]);
    // every level: values cross into Lua as deep as cjson goes (1000)
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toEqual({ levels: 40 });
  });

  it('kong.request.get_body: a JSON body 1000 levels deep decodes whole; one level more is cjson\'s refusal, "invalid json body"', async () => {
    const count = 'local b, err = kong.request.get_body(); local n = 0; while type(b) == "table" do b = b[1]; n = n + 1 end; kong.response.exit(200, { levels = n, err = err })';
    const body = (depth: number) => ({ readBody: async () => Buffer.from('['.repeat(depth) + ']'.repeat(depth)), headers: { host: 'api.test', 'content-type': 'application/json' } });
    const deepest = await runWith([access(count)], body(1000));
    expect(errors).toEqual([]);
    expect(JSON.parse(deepest.response.exitResponse!.body.toString())).toEqual({ levels: 1000 });
    const deeper = await runWith([access(count)], body(1001));
    expect(JSON.parse(deeper.response.exitResponse!.body.toString())).toEqual({ levels: 0, err: 'invalid json body' });
    const huge = await runWith([access(count)], body(200_000));
    expect(JSON.parse(huge.response.exitResponse!.body.toString())).toEqual({ levels: 0, err: 'invalid json body' });
  });

  it('a table that contains itself: exit fails promptly with cjson\'s "excessive nesting (1001)" (Kong\'s 500); other conversions cut the cycle', async () => {
    const started = Date.now();
    const run = await runWith([access('local t = {}; t.a = t; t.b = t; kong.response.exit(200, t)')]);
    expect(Date.now() - started).toBeLessThan(2000);
    expect(run.response.exitResponse!.status).toBe(500);
    expect(errors.join('\n')).toContain('body encoding failed while flushing response: Cannot serialise, excessive nesting (1001)');
    // 1000 levels encode; the 1001st is the error
    const nest = (n: number) => `local t = {}; local c = t; for i = 2, ${n} do c.x = {}; c = c.x end; kong.response.exit(200, t)`;
    expect((await runWith([access(nest(1000))])).response.exitResponse!.status).toBe(200);
    errors.length = 0;
    expect((await runWith([access(nest(1001))])).response.exitResponse!.status).toBe(500);
    expect(errors.join('\n')).toContain('Cannot serialise, excessive nesting (1001)');
    // toValue (log values, kong.ctx.shared for JS plugins) keeps the path's tables: the inner reference is null
    errors.length = 0;
    const logged = await runWith([access('local t = { n = 1 }; t.a = t; t.b = { t, t }; kong.log.set_serialize_value("cyclic", t); kong.ctx.shared.cyclic = t')]);
    expect(errors).toEqual([]);
    expect(logged.serializeValues?.get('cyclic')).toEqual({ n: 1, a: null, b: [null, null] });
    expect(logged.ctx.cyclic).toEqual({ n: 1, a: null, b: [null, null] });
  });

  it('kong.service.set_retries / set_timeouts set this request\'s values; bad arguments get Kong\'s messages', async () => {
    const run = await runWith([access('kong.service.set_retries(2)', 'kong.service.set_timeouts(100, 200, 300)', 'kong.service.set_retries(0)')]);
    expect(errors).toEqual([]);
    expect(run.balancerOverrides).toEqual({ retries: 0, connectTimeout: 100, writeTimeout: 200, readTimeout: 300 });
    expect(await refused('kong.service.set_retries, "2"')).toBe('retries must be an integer');
    expect(await refused('kong.service.set_retries, 1.5')).toBe('retries must be an integer');
    expect(await refused('kong.service.set_retries, -1')).toBe('retries must be an integer between 0 and 32767: given -1');
    expect(await refused('kong.service.set_retries, 32768')).toBe('retries must be an integer between 0 and 32767: given 32768');
    expect(await refused('kong.service.set_timeouts, "2", 1, 1')).toBe('connect_timeout must be an integer');
    expect(await refused('kong.service.set_timeouts, 2, "1", 1')).toBe('write_timeout must be an integer');
    expect(await refused('kong.service.set_timeouts, 2, 1')).toBe('read_timeout must be an integer');
    expect(await refused('kong.service.set_timeouts, 0, 1, 1')).toBe('connect_timeout must be an integer between 1 and 2147483646: given 0');
    expect(await refused('kong.service.set_timeouts, 2, 1, 2147483647')).toBe('read_timeout must be an integer between 1 and 2147483646: given 2147483647');
    const untouched = await runWith([access('pcall(kong.service.set_timeouts, 2, 1, -1)')]);
    expect(untouched.balancerOverrides).toBeNull();
  });

  it("Kong's argument checks on headers, exit and set_method (checks.lua's messages); the snippet fails with a 500", async () => {
    expect(await refused('kong.response.exit, 200, "x", "notatable"')).toBe('headers must be a nil or table');
    expect(await refused('kong.response.exit, "200"')).toBe('code must be a number');
    expect(await refused('kong.response.exit, 200, 5')).toBe('body must be a nil, string or table');
    expect(await refused('kong.response.exit, 200, "x", { a = { "ok", 1 } }')).toBe('invalid header value in array "a": got number, expected string');
    expect(await refused('kong.response.exit, 200, "x", { [1] = "v" }')).toBe('invalid header name "1": got number, expected string');
    expect(await refused('kong.response.exit, 200, "x", { [true] = "v" }')).toBe("bad argument #2 to 'format' (string expected, got boolean)");
    expect(await refused('kong.response.exit, 200, "x", { a = print }')).toBe('invalid header value for "a": got function, expected string, number, boolean or array of strings');
    expect(await refused('kong.response.error, 403, "no", { a = print }')).toBe('invalid header value for "a": got function, expected string, number, boolean or array of strings');
    // the body: what cjson cannot encode is Kong's error, not a key dropped
    expect(await refused('kong.response.exit, 200, { f = print }')).toBe('body encoding failed while flushing response: Cannot serialise function: type not supported');
    expect(await refused('kong.response.exit, 200, { list = { 1, { co = coroutine.create(print) } } }')).toBe('body encoding failed while flushing response: Cannot serialise thread: type not supported');
    expect(await refused('kong.response.exit, 200, { [{}] = 1 }')).toBe('body encoding failed while flushing response: Cannot serialise table: table key must be a number or string');
    expect(await refused('kong.response.exit, 200, { n = 0/0 }')).toBe('body encoding failed while flushing response: Cannot serialise number: must not be NaN or Infinity');
    expect(await refused('kong.service.request.set_method, "BAD METHOD"')).toBe('invalid method: BAD METHOD');
    expect(await refused('kong.service.request.set_method, "get"')).toBe('invalid method: get');
    expect(await refused('kong.service.request.set_method, 1')).toBe('method must be a string');
    expect(await refused('kong.service.request.set_header, "a", print')).toBe('invalid header value for "a": got function, expected array of string, string, number or boolean');
    expect(await refused('kong.service.request.set_header, 1, "x"')).toBe('invalid header name "1": got number, expected string');
    expect(await refused('kong.service.request.add_header, "a\\r\\nb", { "x", false }')).toBe('invalid header value in array "a\\13\\\nb": got boolean, expected string');
    expect(await refused('kong.response.set_header, nil, "x"')).toBe("bad argument #2 to 'format' (string expected, got nil)");
    expect(await refused('kong.response.add_header, "a", nil')).toBe('invalid header value for "a": got nil, expected array of string, string, number or boolean');
    expect(await refused('kong.service.request.set_headers, "x"')).toBe('headers must be a table');
    expect(await refused('kong.response.set_headers, { a = "1", b = { c = 1 }, d = print }')).toBe('invalid header value for "d": got function, expected string, number, boolean or array of strings');

    // not called under pcall: the snippet fails, and the request is Kong's 500
    const failed = await runWith([access('kong.response.exit(200, "x", "notatable")')]);
    expect(failed.response.exitResponse?.status).toBe(500);
    expect(JSON.parse(failed.response.exitResponse!.body.toString())).toEqual({ message: 'An unexpected error occurred', request_id: 'req-1' });
    expect(errors.join('\n')).toContain('headers must be a nil or table');
    errors.length = 0;
    const badMethod = await runWith([access('kong.service.request.set_method("BAD METHOD")')]);
    expect(badMethod.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('invalid method: BAD METHOD');

    // what Kong accepts: a table value's array part only ({ c = 1 } sets nothing), numbers and booleans as text, any
    // method of its list, and a name with a line break (escaped where it is stored, as OpenResty does)
    errors.length = 0;
    const ok = await runWith([access(
      'kong.service.request.set_method("PROPFIND")',
      'kong.service.request.set_header("a\\nb", "x")',
      'kong.service.request.set_headers({ n = 1, t = true, l = { "p", "q" } })',
      'kong.response.exit(201, { f = 1.5, list = { 1, "2" } }, { a = { c = 1 }, b = 2, ["X-Two"] = { "1", "2" } })',
    )]);
    expect(errors).toEqual([]);
    expect(ok.request.method).toBe('PROPFIND');
    expect(ok.request.upstreamHeaders()).toMatchObject({ 'a%0ab': 'x', n: '1', t: 'true', l: ['p', 'q'] });
    expect(ok.response.exitResponse?.status).toBe(201);
    expect(ok.response.exitResponse?.headers).toMatchObject({ b: '2', 'x-two': '1, 2' });
    expect(ok.response.exitResponse?.headers.a).toBeUndefined();
    expect(JSON.parse(ok.response.exitResponse!.body.toString())).toEqual({ f: 1.5, list: [1, '2'] });
  });

  it('kong.log(...) logs at notice; kong.log.inspect pretty-prints its arguments, and inspect.off()/on() switch it for the plugin', async () => {
    await runWith([access(
      'kong.log("plain ", 1)',
      'kong.log.inspect("s", 42, { 1, 2, a = { b = true }, ["x-y"] = "z" }, nil, {})',
      'kong.log.inspect.off(); kong.log.inspect("hidden"); kong.log.inspect.on(); kong.log.inspect("shown")',
    )]);
    expect(errors).toEqual([]);
    expect(infos).toEqual(['[lua] plain 1', '[lua] "s" 42 { 1, 2, a = { b = true }, ["x-y"] = "z" } nil {}', '[lua] "shown"']);
    const refused = validatePluginConfig(registry.schemas, 'pre-function', { access: ['kong.log.inspect.dump(1)'] });
    expect(JSON.stringify(refused)).toContain('kong.log.inspect.dump is not available in Tollgate\'s PDK');
  });

  it('an endless loop is stopped by the instruction budget', async () => {
    const started = Date.now();
    const run = await runWith([access('while true do end')]);
    expect(run.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('instruction budget exceeded');
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('a snippet that grows the worker by more than 256 MiB fails with "not enough memory" (fengari strings live outside V8\'s heap limit)', async () => {
    const before = process.memoryUsage.rss();
    // 1 MB strings kept in a table: within the instruction budget this reached 23 GB and took the host down
    const run = await runWith([access('local t = {} local s = string.rep("x", 1e6) while true do t[#t + 1] = s .. #t end')]);
    expect(run.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('not enough memory (a snippet may grow the worker by 256 MiB)');
    expect(process.memoryUsage.rss() - before).toBeLessThan(1024 * 1024 * 1024);
  });

  it('ngx.decode_args without a limit charges its work to the instruction budget (16 MB of arguments held the worker 10 s)', async () => {
    const started = Date.now();
    // 16 MB built by doubling (string.rep of a short piece costs seconds of its own in fengari)
    const run = await runWith([access('local s = "a=%zz%4&" for i = 1, 21 do s = s .. s end local args = ngx.decode_args(s, -1)')]);
    expect(run.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('instruction budget exceeded');
    expect(Date.now() - started).toBeLessThan(3000);
    const small = await runWith([access('local args = ngx.decode_args("a=1&b=2&a=3", 0); kong.response.exit(200, args)')]);
    expect(JSON.parse(small.response.exitResponse!.body.toString())).toEqual({ a: ['1', '3'], b: '2' });
  });

  it('string.rep is bounded (fengari would spend seconds building a huge string outside the budget)', async () => {
    const ok = await runWith([access('kong.service.request.set_header("x", ("ab"):rep(3, "-"))')]);
    expect(ok.request.getHeader('x')).toBe('ab-ab-ab');
    const huge = await runWith([access('local s = ("x"):rep(3e8)')]);
    expect(huge.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('resulting string too large');
  });

  it('the PDK tables, shared by every snippet, cannot be changed by one', async () => {
    const run = await runWith([access('kong.request.get_header = function() return "forged" end')]);
    expect(run.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('Cannot modify kong.request.get_header. Protected by the sandbox.');
    const after = await runWith([access('kong.service.request.set_header("x", kong.request.get_header("x-api-key"))')]);
    expect(after.request.getHeader('x')).toBe('k1');
  });

  it('the sandbox has no io, os.execute, load or arbitrary require', async () => {
    const run = await runWith([access(`
      kong.service.request.set_header("x-io", tostring(io.open))
      kong.service.request.set_header("x-exec", tostring(os.execute))
      kong.service.request.set_header("x-load", tostring(load))
      kong.service.request.set_header("x-req", select(2, pcall(require, "os")))`)]);
    expect(run.request.getHeader('x-io')).toBe('nil');
    expect(run.request.getHeader('x-exec')).toBe('nil');
    expect(run.request.getHeader('x-load')).toBe('nil');
    expect(run.request.getHeader('x-req')).toContain("require 'os' not allowed within sandbox");
  });

  it('a PDK function Tollgate lacks is refused at config time, naming it', () => {
    const r = validatePluginConfig(registry.schemas, 'pre-function', { access: ['local v = kong.cache:get("k")'] });
    expect(r.ok).toBe(false);
    expect(JSON.stringify((r as { fields: unknown }).fields)).toContain("error parsing pre-function: kong.cache is not available in Tollgate's PDK");
  });

  it('a name computed at run time fails that request and the log names it', async () => {
    const run = await runWith([access('local area = "cache"; local x = kong[area]')]);
    expect(run.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain("kong.cache is not available in Tollgate's PDK");
  });

  it('a syntax error is a config error in Kong\'s words', () => {
    const r = validatePluginConfig(registry.schemas, 'post-function', { access: ['local x = '] });
    expect((r as unknown as { fields: { config: { access: string[] } } }).fields.config.access[0]).toBe('error parsing post-function: [string "local x = "]:1: unexpected symbol near <eof>');
  });

  it('needs at least one phase, as Kong', () => {
    const r = validatePluginConfig(registry.schemas, 'pre-function', {});
    expect((r as { fields: Record<string, unknown> }).fields['@entity']).toEqual([
      "at least one of these fields must be non-empty: 'config.certificate', 'config.rewrite', 'config.access', 'config.header_filter', 'config.body_filter', 'config.log'",
    ]);
  });

  it('kong.ctx.shared is shared with later snippets and JS plugins; kong.ctx.plugin and ngx.ctx are per request', async () => {
    const run = await runWith([
      ['pre-function', { access: ['kong.ctx.shared.who = "pre"; kong.ctx.plugin.mine = 1; ngx.ctx.n = 5'] }],
      ['post-function', { access: ['kong.service.request.set_header("x-shared", kong.ctx.shared.who .. tostring(kong.ctx.plugin.mine) .. ngx.ctx.n)'] }],
    ]);
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-shared')).toBe('prenil5');
    expect(run.ctx.who).toBe('pre');
  });

  it('kong.log.set_serialize_value reaches the log serializer', async () => {
    const run = await runWith([access('kong.log.set_serialize_value("request.tenant", "acme"); kong.log.set_serialize_value("extra", { a = 1 })')]);
    const doc = serializeLog(run) as { request: { tenant: string }; extra: unknown };
    expect(doc.request.tenant).toBe('acme');
    expect(doc.extra).toEqual({ a: 1 });
  });

  it('header_filter snippets change the response headers', async () => {
    const run = await runWith([['post-function', { header_filter: ['kong.response.set_header("x-status", kong.response.get_status()); kong.response.clear_header("server")'] }]]);
    const headers: Record<string, string | string[] | number | undefined> = { server: 'up', 'content-type': 'text/plain' };
    runHeaderFilter(run, 201, headers);
    expect(headers).toEqual({ 'content-type': 'text/plain', 'x-status': '201' });
  });

  it('kong.response.error: Kong\'s default message for the status, or the one given, with headers; a status outside 400-599 fails', async () => {
    const plain = await runWith([access('kong.response.error(403)', 'kong.service.request.set_header("x-after", "1")')]);
    expect(plain.response.exitResponse?.status).toBe(403);
    expect(JSON.parse(plain.response.exitResponse!.body.toString())).toMatchObject({ message: 'Forbidden' });
    expect(plain.request.getHeader('x-after')).toBeUndefined();
    const given = await runWith([access('kong.response.error(429, "slow down", { ["Retry-After"] = 7 })')]);
    expect([given.response.exitResponse?.status, given.response.exitResponse?.headers['retry-after']]).toEqual([429, '7']);
    expect(JSON.parse(given.response.exitResponse!.body.toString())).toMatchObject({ message: 'slow down' });
    const bad = await runWith([access('kong.response.error(302)')]);
    expect(bad.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('code must be a number between 400 and 599');
  });

  it('kong.response.set_status in header_filter sets the status the client gets; outside 100-599 it fails', async () => {
    const run = await runWith([['post-function', { header_filter: ['kong.response.set_status(418); kong.response.set_header("x-was", "seen")'] }]]);
    runHeaderFilter(run, 200, {});
    expect(run.response.getStatus()).toBe(418);
    expect(errors).toEqual([]);
    const bad = await runWith([access('kong.response.set_status(99)')]);
    expect(bad.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('code must be a number between 100 and 599');
  });

  it('kong.response.exit and error in header_filter replace the upstream answer (as Kong\'s header_filter exit)', async () => {
    const run = await runWith([['post-function', { header_filter: ['if kong.response.get_status() >= 500 then kong.response.error(503, "maintenance") end', 'kong.response.set_header("x-after", "1")'] }]]);
    runHeaderFilter(run, 502, {});
    expect(run.response.exitResponse?.status).toBe(503);
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toMatchObject({ message: 'maintenance' });
    expect(run.response.getHeader('x-after')).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('an error in header_filter or body_filter ends that phase and fails the response (Kong calls filter handlers unprotected); one in log ends nothing', async () => {
    const plugins = (hf: string): Array<[string, Record<string, unknown>]> => [
      ['pre-function', { header_filter: [hf], log: ['error("log boom")'] }],
      ['post-function', { header_filter: ['kong.response.set_header("x-post", "ran")'], log: ['kong.log.info("post-function log ran")'] }],
    ];
    const fine = await runWith(plugins('kong.response.set_header("x-pre", "ran")'));
    const fineHeaders: Record<string, string | string[] | number | undefined> = {};
    runHeaderFilter(fine, 200, fineHeaders);
    expect([fineHeaders['x-pre'], fineHeaders['x-post'], fine.response.failedPhase]).toEqual(['ran', 'ran', null]);
    const run = await runWith(plugins('error("hf boom")'));
    const headers: Record<string, string | string[] | number | undefined> = {};
    runHeaderFilter(run, 200, headers);
    expect(run.response.failedPhase).toBe('header_filter');
    expect(headers['x-post']).toBeUndefined(); // post-function (lower priority) never ran
    expect(errors.join('\n')).toContain('hf boom');
    scheduleLog(run);
    await new Promise((r) => setImmediate(r));
    expect(errors.join('\n')).toContain('log boom');
    expect(infos.join('\n')).toContain('post-function log ran');
    const bf = await runWith([['post-function', { body_filter: ['error("bf boom")'] }]]);
    runHeaderFilter(bf, 200, {});
    expect(bf.response.failedPhase).toBeNull();
    runBodyFilter(bf, Buffer.from('x'));
    expect(bf.response.failedPhase).toBe('body_filter');
  });

  it('kong.service.request.enable_buffering: kong.service.response.get_raw_body / get_body read the whole service body; without it, Kong\'s error', async () => {
    const hf = [
      'local raw = kong.service.response.get_raw_body()',
      'local json, err, mime = kong.service.response.get_body()',
      'local form, _, fmime = kong.service.response.get_body("application/x-www-form-urlencoded")',
      'local none, nerr, nmime = kong.service.response.get_body("text/csv; charset=utf-8")',
      'kong.response.set_header("x-body", raw .. "|" .. json.items[2] .. "|" .. tostring(err) .. "|" .. mime .. "|" .. tostring(form[raw]) .. "|" .. fmime .. "|" .. tostring(none) .. "|" .. nerr .. "|" .. nmime)',
    ].join('\n');
    const run = await runWith([['pre-function', { access: ['kong.service.request.enable_buffering()'], header_filter: [hf] }]]);
    expect(run.bufferedProxying).toBe(true);
    run.bufferedBody = Buffer.from('{"items":[1,2]}');
    const headers: Record<string, string | string[] | number | undefined> = { 'content-type': 'application/json; charset=utf-8' };
    runHeaderFilter(run, 200, headers);
    expect(errors).toEqual([]);
    // a form argument without `=` is true (ngx.req.get_post_args)
    expect(headers['x-body']).toBe('{"items":[1,2]}|2|nil|application/json|true|application/x-www-form-urlencoded|nil|unsupported content type \'text/csv; charset=utf-8\'|text/csv');
    const scalar = await runWith([['pre-function', { access: ['kong.service.request.enable_buffering()'], header_filter: ['local v, err = kong.service.response.get_body("application/json"); kong.response.set_header("x-err", err)'] }]]);
    scalar.bufferedBody = Buffer.from('42');
    const scalarHeaders: Record<string, string | string[] | number | undefined> = {};
    runHeaderFilter(scalar, 200, scalarHeaders);
    expect(scalarHeaders['x-err']).toBe('invalid json body');
    const h2 = await runWith([access('kong.service.request.enable_buffering()')], { httpVersion: 2 });
    expect(h2.bufferedProxying).toBe(false);
    expect(errors.join('\n')).toContain('buffered proxying cannot currently be enabled with http/2, please use http/1.x instead');
    const unbuffered = await runWith([['post-function', { header_filter: ['kong.service.response.get_raw_body()'] }]]);
    runHeaderFilter(unbuffered, 200, {});
    expect(errors.join('\n')).toContain('service body is only available with buffered proxying (see: kong.service.request.enable_buffering function)');
  });

  it('get_body decodes multipart/form-data as lua-multipart\'s get_all: each field\'s bytes, the first of a name winning', async () => {
    const body = Buffer.from([
      'preamble', '--XyZ', 'Content-Disposition: form-data; name="title"', '', 'Hello, world', '--XyZ',
      'Content-Disposition: form-data; filename="a.bin"; name="file"', 'Content-Type: application/octet-stream', '', 'line1\r\nline2', '--XyZ',
      'content-disposition: form-data; name="title"', '', 'second', '--XyZ--', '',
    ].join('\r\n'));
    const run = await runWith([['pre-function', { access: ['kong.service.request.enable_buffering()'], header_filter: [[
      'local f, err, mime = kong.service.response.get_body()',
      'kong.response.set_header("x-form", f.title .. "|" .. f.file:gsub("\\r\\n", "/") .. "|" .. tostring(err) .. "|" .. mime)',
    ].join('\n')] }]]);
    run.bufferedBody = body;
    const headers: Record<string, string | string[] | number | undefined> = { 'content-type': 'multipart/form-data; boundary="XyZ"' };
    runHeaderFilter(run, 200, headers);
    expect(errors).toEqual([]);
    expect(headers['x-form']).toBe('Hello, world|line1/line2|nil|multipart/form-data');
  });

  it('kong.service.response: the service\'s status (not what a plugin set) and headers, nil when an exit answered; header_filter on only', async () => {
    const hf = 'kong.response.set_status(418); kong.response.set_header("x-svc", tostring(kong.service.response.get_status()) .. "|" .. tostring(kong.service.response.get_header("Content-Type")) .. "|" .. kong.service.response.get_headers()["content-type"])';
    const run = await runWith([['post-function', { header_filter: [hf] }]]);
    const headers: Record<string, string | string[] | number | undefined> = { 'content-type': 'text/plain' };
    runHeaderFilter(run, 200, headers);
    expect(errors).toEqual([]);
    expect([run.response.getStatus(), headers['x-svc']]).toEqual([418, '200|text/plain|text/plain']);
    const exited = await runWith([['pre-function', { access: ['kong.response.exit(403)'] }], ['post-function', { header_filter: ['kong.response.set_header("x-svc", tostring(kong.service.response.get_status()))'] }]]);
    const exitHeaders: Record<string, string | string[] | number | undefined> = {};
    runHeaderFilter(exited, 403, exitHeaders);
    expect(exitHeaders['x-svc']).toBe('nil');
    const early = await runWith([access('kong.service.response.get_status()')]);
    expect(early.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('kong.service.response.get_status cannot be called in the access phase');
  });

  it('kong.request.get_uri_captures: Kong\'s unnamed (from [0]) and named tables', async () => {
    const run = await runWith([access('local c = kong.request.get_uri_captures(); kong.service.request.set_header("x-c", c.unnamed[0] .. "|" .. c.unnamed[1] .. "|" .. c.named.id .. "|" .. tostring(c.named[1]) .. "|" .. tostring(c.unnamed.id))')]);
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-c')).toBe('/things/42|42|42|nil|nil');
  });

  it('Lua tables become JSON as cjson encodes them: a key below 1 makes an object; the unnamed captures stay an array', async () => {
    const run = await runWith([access(`kong.response.exit(200, {
      zero = { [0] = "x" }, mixed = { [0] = "a", "b" }, negative = { [-1] = "n" }, arr = { "p", "q" }, empty = {},
      unnamed = kong.request.get_uri_captures().unnamed,
    })`)]);
    expect(errors).toEqual([]);
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toEqual({
      zero: { '0': 'x' }, mixed: { '0': 'a', '1': 'b' }, negative: { '-1': 'n' }, arr: ['p', 'q'], empty: {}, unnamed: ['42'],
    });
    const none = await runWith([access('kong.response.exit(200, { unnamed = kong.request.get_uri_captures().unnamed })')], { uriCaptures: undefined });
    expect(JSON.parse(none.response.exitResponse!.body.toString())).toEqual({ unnamed: [] });
  });

  it('kong.client.load_consumer by id or username, and kong.client.authenticate: the consumer reaches later plugins', async () => {
    let alice: Record<string, unknown> = {};
    const run = await runWith([
      ['pre-function', { access: [`
        local by_name = kong.client.load_consumer("alice", true)
        local by_id = kong.client.load_consumer(by_name.id)
        local missing = kong.client.load_consumer("00000000-0000-4000-8000-000000000000")
        kong.client.authenticate(by_name, { id = "cred-1", key = "k" })
        kong.service.request.set_header("x-loaded", by_id.username .. "|" .. tostring(missing) .. "|" .. kong.client.get_consumer().id)`] }],
      ['post-function', { access: ['kong.service.request.set_header("x-later", kong.client.get_credential().id)'] }],
    ], {}, (b) => { alice = b.consumer('alice'); });
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-loaded')).toBe(`alice|nil|${alice.id}`);
    expect(run.request.getHeader('x-later')).toBe('cred-1');
    expect(run.consumer?.id).toBe(alice.id);
  });

  it('kong.client.load_consumer refuses an id that is not a uuid unless asked to search usernames; authenticate needs a table', async () => {
    const notUuid = await runWith([access('kong.client.load_consumer("alice")')]);
    expect(notUuid.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('cannot load a consumer with an id that is not a uuid');
    errors.length = 0;
    await runWith([access('kong.client.authenticate(nil, nil)')]);
    expect(errors.join('\n')).toContain('either credential or consumer must be provided');
    errors.length = 0;
    await runWith([access('kong.client.authenticate("bob")')]);
    expect(errors.join('\n')).toContain('consumer must be a table');
  });

  it('kong.service.request.set_scheme: http or https for the upstream request; anything else fails', async () => {
    const run = await runWith([access('kong.service.request.set_scheme("https")')]);
    expect(run.schemeOverride).toBe('https');
    const bad = await runWith([access('kong.service.request.set_scheme("ftp")')]);
    expect(bad.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain('invalid scheme: ftp');
  });

  it('kong.ip.is_trusted asks the host (trusted_ips); without one nothing is trusted', async () => {
    const snippet = access('kong.service.request.set_header("x-t", tostring(kong.ip.is_trusted("10.0.0.2")) .. tostring(kong.ip.is_trusted("8.8.8.8")))');
    const run = await runWith([snippet], { isTrusted: (ip) => ip.startsWith('10.') });
    expect(run.request.getHeader('x-t')).toBe('truefalse');
    expect((await runWith([snippet])).request.getHeader('x-t')).toBe('falsefalse');
  });

  it('kong.table.new and clear, kong.nginx.get_subsystem', async () => {
    const run = await runWith([access(`
      local t = kong.table.new(4, 2)
      t[1] = "a"; t[2] = "b"; t.k = "v"
      local n = #t
      kong.table.clear(t)
      kong.service.request.set_header("x-t", n .. "|" .. tostring(next(t)) .. "|" .. kong.nginx.get_subsystem())`)]);
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-t')).toBe('2|nil|http');
  });

  it('ngx.var.upstream_uri can be set (path and query); other variables are read-only', async () => {
    const run = await runWith([access('ngx.var.upstream_uri = "/v2" .. ngx.var.uri .. "?a=1"')]);
    expect(run.request.getPath()).toBe('/v2/things/42');
    expect(run.request.upstreamQuery()).toBe('?a=1');
    const ro = await runWith([access('ngx.var.host = "x"')]);
    expect(ro.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toMatch(/\[string \\?"ngx.var.host = \\?"x\\?"\\?"\]:1: variable \\?"host\\?" not changeable/);
  });

  it('ngx.re: match (named and positional, unmatched = false), find (byte offsets), gmatch, sub, gsub', async () => {
    const run = await runWith([access(`
      local m = ngx.re.match("/users/42/x", [[^/users/(?<id>\\d+)(/y)?]], "jo")
      local from, to = ngx.re.find("héllo world", "wor")
      local words = {}
      for w in ngx.re.gmatch("a1 b2 c3", [[([a-z])(\\d)]]) do words[#words + 1] = w[1] .. w[2] end
      local one = ngx.re.sub("aaa", "a", "[$0]")
      local all, n = ngx.re.gsub("Bearer abc", [[^Bearer\\s+(?<tok>.+)$]], "token=\${tok}")
      local upper = ngx.re.gsub("a-b", "[a-z]", function(c) return c[0]:upper() end)
      kong.service.request.set_header("x-re", table.concat({ m[0], m[1], m.id, tostring(m[2]), from, to, table.concat(words, ","), one, all, n, upper }, "|"))
      local bad, err = ngx.re.match("x", "(")
      kong.service.request.set_header("x-bad", tostring(bad) .. " " .. err)`)]);
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-re')).toBe('/users/42|42|42|false|8|10|a1,b2,c3|[a]aa|token=abc|1|A-B');
    expect(run.request.getHeader('x-bad')).toBe('nil pcre2_compile() failed: missing closing parenthesis in "("');
  });

  it('ngx.re: options i/u/U/m/s/x through the PCRE translation; a pattern that backtracks without end finishes on V8\'s linear-time engine', async () => {
    // what every serving process turns on (guardProcess, libs/logging/src/process-guard.ts)
    setFlagsFromString('--enable-experimental-regexp-engine-on-excessive-backtracks');
    const started = Date.now();
    const run = await runWith([access(`
      local evil = string.rep("a", 40) .. "!"
      local out = {}
      for _, opts in ipairs({ "", "i", "u", "iu", "jo", "ijo", "U" }) do out[#out + 1] = tostring(ngx.re.match(evil, "^(a+)+$", opts)) end
      out[#out + 1] = tostring(ngx.re.find(evil, "^(a|aa)+$", "i"))
      local n = select(2, ngx.re.gsub(evil, "(a+)+b", "x", "i"))
      out[#out + 1] = n
      out[#out + 1] = ngx.re.match("ABC", "abc", "i")[0]
      out[#out + 1] = tostring(ngx.re.match("ABC", "abc"))
      out[#out + 1] = ngx.re.match("x ABC", "(?i)a b c", "x")[0]
      out[#out + 1] = ngx.re.match("a\\nb", "a.b", "s")[0] == "a\\nb" and "s" or "no s"
      out[#out + 1] = ngx.re.match("x\\nab", "^ab", "m")[0]
      out[#out + 1] = tostring(ngx.re.match("É", "^é$", "i"))
      out[#out + 1] = ngx.re.match("É", "^é$", "iu")[0]
      out[#out + 1] = ngx.re.match("abab", [[^(ab)\\1$]])[1]
      out[#out + 1] = ngx.re.match("aA", [[^(a)\\1$]], "i")[0]
      local bad, err = ngx.re.match("x", "a", "q")
      out[#out + 1] = tostring(bad) .. " " .. err
      kong.response.exit(200, out)`)]);
    expect(errors).toEqual([]);
    expect(JSON.parse(run.response.exitResponse!.body.toString())).toEqual([
      'nil', 'nil', 'nil', 'nil', 'nil', 'nil', 'nil', 'nil', 0, 'ABC', 'nil', 'ABC', 's', 'ab', 'nil', 'É', 'ab', 'aA', 'nil unknown flag "q"',
    ]);
    expect(Date.now() - started).toBeLessThan(5000); // 2^40 steps each on the backtracking engine
  });

  it("kong.request.get_query: repeated names are lists, a bare name is true (Kong's shape)", async () => {
    const run = await runWith([access('local q = kong.request.get_query(); kong.service.request.set_header("x", q.page[1] .. q.page[2] .. tostring(q.flag) .. q.q)')], { rawQuery: 'page=2&page=3&flag&q=x' });
    expect(run.request.getHeader('x')).toBe('23truex');
  });

  it('reads the body when a snippet asks for it', async () => {
    const run = await runWith([access('kong.service.request.set_header("x-body", kong.request.get_raw_body() .. tostring(kong.request.get_body().a))')], {
      headers: { host: 'api.test', 'content-type': 'application/json' },
    });
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-body')).toBe('{"a":1}1');
  });
});

describe('request-transformer templates', () => {
  const rt = (config: Record<string, unknown>): [string, Record<string, unknown>] => ['request-transformer', config];

  it('renders headers, query_params and uri_captures (positional and named)', async () => {
    const run = await runWith([rt({
      add: { headers: ['x-key:$(headers.x_api_key)', 'x-page:$(query_params["q"])', 'x-cap:$(uri_captures[1])-$(uri_captures.id)'] },
    })]);
    expect(errors).toEqual([]);
    expect(run.request.getHeader('x-key')).toBe('k1');
    expect(run.request.getHeader('x-page')).toBe('x');
    expect(run.request.getHeader('x-cap')).toBe('42-42');
  });

  it("evaluates Supabase's expression both ways", async () => {
    const expr = "$((headers.authorization ~= nil and headers.authorization:sub(1, 10) ~= 'Bearer sb_' and headers.authorization) or headers.apikey)";
    const cfg = rt({ add: { headers: [`Authorization: ${expr}`] }, replace: { headers: [`Authorization: ${expr}`] } });
    const user = await runWith([cfg], { headers: { authorization: 'Bearer user-jwt', apikey: 'anon' } });
    expect(user.request.getHeader('authorization')).toBe(' Bearer user-jwt');
    const keyOnly = await runWith([cfg], { headers: { apikey: 'anon-key' } });
    expect(keyOnly.request.getHeader('authorization')).toBe(' anon-key');
    const sbKey = await runWith([cfg], { headers: { authorization: 'Bearer sb_publishable', apikey: 'legacy' } });
    expect(sbKey.request.getHeader('authorization')).toBe(' legacy');
  });

  it('a missing value renders as an empty string; a quoted template is the escape', async () => {
    const run = await runWith([rt({ add: { headers: ['x-none:$(headers.nothing)', "x-lit:$('$(uri_captures.id)')"] } })]);
    expect(run.request.getHeader('x-none')).toBe('');
    expect(run.request.getHeader('x-lit')).toBe('$(uri_captures.id)');
  });

  it('templates see the headers as the plugin found them (a removed header still renders)', async () => {
    const run = await runWith([rt({ remove: { headers: ['x-api-key'] }, add: { headers: ['x-was:$(headers["x-api-key"])'] } })]);
    expect(run.request.getHeader('x-api-key')).toBeUndefined();
    expect(run.request.getHeader('x-was')).toBe('k1');
  });

  it('the template sandbox has no string library and no write access', async () => {
    const noString = await runWith([rt({ add: { headers: ['x:$(string.upper(headers.host))'] } })]);
    expect(noString.response.exitResponse?.status).toBe(500);
    expect(errors.join('\n')).toContain("attempt to index a nil value (global 'string')");
  });

  it('a template that does not compile is refused at config time', () => {
    const r = validatePluginConfig(registry.schemas, 'request-transformer', { add: { headers: ['x:$(shared.written = true)'] } });
    expect(JSON.stringify((r as { fields: unknown }).fields)).toContain("value '$(shared.written = true)' is not in supported format, error:");
  });

  it('values without $(...) never touch Lua', async () => {
    const run = await runWith([rt({ add: { headers: ['x-plain:a $ b (c)'] } })]);
    expect(run.request.getHeader('x-plain')).toBe('a $ b (c)');
  });
});

describe('PDK additions: service request bodies and query, ngx helpers', () => {
  /** The snippet's results (pcall'd: an error is `ok = false, a = message`) and the run. */
  const results = async (snippet: string, over: Partial<HostRequest> = {}) => {
    errors.length = 0;
    const run = await runWith([access(`local ok, a, b, c = pcall(function() ${snippet} end); kong.response.exit(200, { ok = ok, a = a, b = b, c = c })`)], over);
    const out = JSON.parse(run.response.exitResponse!.body.toString());
    // an error names the snippet's line, as Kong's error(msg, 2) does: compared without it
    if (out.ok === false && typeof out.a === 'string') out.a = out.a.replace(/^\[string ".*?"\]:\d+: /, '');
    return { ...out, run };
  };
  const form = { headers: { host: 'api.test', 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' } };

  it("kong.service.request.set_query: Kong's make_ordered_args (pieces sorted, true bare, arrays in order, strings escaped)", async () => {
    const r = await results('kong.service.request.set_query({ foo = "hello world", bar = { "baz", "bla", true }, zzz = true, blo = "" })');
    expect(r.ok).toBe(true);
    expect(r.run.request.upstreamQuery()).toBe('?bar=baz&bar=bla&bar&blo=&foo=hello%20world&zzz');
    // a false value encodes to nothing, and Kong still joins its empty piece
    expect((await results('kong.service.request.set_query({ a = "1", b = false })')).run.request.upstreamQuery()).toBe('?&a=1');
    expect((await results('return kong.service.request.set_query({ [1] = "x" })')).a).toBe('arg keys must be strings');
    expect((await results('return kong.service.request.set_query({ a = print })')).a).toBe('attempt to use function as query arg value');
    expect((await results('return kong.service.request.set_query({ a = { {} } })')).a).toBe('attempt to use table as query arg value');
    expect((await results('return kong.service.request.set_query("a=1")')).a).toBe('args must be a table');
    // the later reader sees the bare name as Kong's get_query does
    expect((await results('kong.service.request.set_query({ a = true, b = "2" }); return kong.request.get_query()')).a).toEqual({ a: true, b: '2' });
  });

  it('kong.service.request.clear_query_arg removes every occurrence, keeps the order, writes spaces as %20', async () => {
    const r = await results('kong.service.request.clear_query_arg("page")');
    expect(r.run.request.upstreamQuery()).toBe('?q=x');
    const raw = await results('kong.service.request.set_raw_query("a=1&b=x+y&a=2&c"); kong.service.request.clear_query_arg("a")');
    expect(raw.run.request.upstreamQuery()).toBe('?b=x%20y&c=');
    expect((await results('return kong.service.request.clear_query_arg(1)')).a).toBe('query argument name must be a string');
  });

  it('kong.service.request.set_body: JSON (cjson), form (make_ordered_args) and multipart bodies with their Content-Type', async () => {
    const json = await results('return kong.service.request.set_body({ path = "a/b", n = 42, list = { 1, 2 } }, "application/json")');
    expect(json.a).toBe(true);
    expect(json.run.request.bodyOverride.toString()).toContain('"path":"a\\/b"');
    expect(JSON.parse(json.run.request.bodyOverride.toString())).toEqual({ path: 'a/b', n: 42, list: [1, 2] });
    expect(json.run.request.getHeader('content-type')).toBe('application/json');
    // no type given: the client's Content-Type decides, and stays as sent
    const f = await results('return kong.service.request.set_body({ foo = "hello world", bar = { "baz", "bla", true }, zzz = true, blo = "" })', form);
    expect(f.run.request.bodyOverride.toString()).toBe('bar=baz&bar=bla&bar&blo=&foo=hello%20world&zzz');
    expect(f.run.request.getHeader('content-type')).toBe('application/x-www-form-urlencoded; charset=utf-8');
    const mp = await results('return kong.service.request.set_body({ b = 2, a = "x", c = true }, "multipart/form-data; boundary=XyZ")');
    expect(mp.run.request.bodyOverride.toString()).toBe('--XyZ\r\nContent-Disposition: form-data; name="a"\r\n\r\nx\r\n--XyZ\r\nContent-Disposition: form-data; name="b"\r\n\r\n2\r\n--XyZ\r\nContent-Disposition: form-data; name="c"\r\n\r\ntrue\r\n--XyZ--\r\n');
    expect(mp.run.request.getHeader('content-type')).toBe('multipart/form-data; boundary=XyZ');
    const quoted = await results('return kong.service.request.set_body({ a = "x" }, \'multipart/form-data; boundary="q q"; x=1\')');
    expect(quoted.run.request.getHeader('content-type')).toBe('multipart/form-data; boundary=q q');
    const random = await results('return kong.service.request.set_body({ a = "x" }, "multipart/form-data")');
    expect(random.run.request.getHeader('content-type')).toMatch(/^multipart\/form-data; boundary=\d+$/);
  });

  it("kong.service.request.set_body: Kong's nil + message without a type, and its errors", async () => {
    expect(await results('return kong.service.request.set_body({ a = 1 })').then(({ ok, a, b }) => ({ ok, a, b })))
      .toEqual({ ok: true, b: 'content type was neither explicitly given as an argument or received as a header' });
    expect((await results('return kong.service.request.set_body({}, "text/plain")')).a).toBe('unsupported content type text/plain');
    expect((await results('return kong.service.request.set_body({}, 5)')).a).toBe('mime must be a string');
    expect((await results('return kong.service.request.set_body("x", "application/json")')).a).toBe('args must be a table');
    expect((await results('return kong.service.request.set_body({ f = print }, "application/json")')).a).toBe('Cannot serialise function: type not supported');
    expect((await results('return kong.service.request.set_body({ a = {} }, "multipart/form-data")')).a).toBe('invalid value "a": got table, expected string, number or boolean');
    expect((await results('return kong.service.request.set_body({ "x" }, "multipart/form-data")')).a).toBe('invalid key "1": got number, expected string');
    expect((await results('return kong.service.request.set_body({ a = print }, "application/x-www-form-urlencoded")')).a).toBe('attempt to use function as query arg value');
  });

  it('ngx.encode_args / decode_args: OpenResty\'s encoding and parsing, max_args', async () => {
    expect((await results('return ngx.encode_args({ d = { 1, "z/", true, false } }), ngx.encode_args({ k = "a b!*\'()&=+" }), ngx.encode_args({ x = false })')))
      .toMatchObject({ ok: true, a: 'd=1&d=z%2F&d', b: "k=a%20b!*'()%26%3D%2B", c: '' });
    expect((await results('return ngx.encode_args({ [1] = "a" })')).a).toBe('attempt to use a non-string key in the "args" option table');
    expect((await results('return ngx.encode_args({ a = print })')).a).toBe('attempt to use function as query arg value');
    expect((await results('return ngx.decode_args("a=1&b&a=%20x+y&c=")')).a).toEqual({ a: ['1', ' x y'], b: true, c: '' });
    expect(await results('return ngx.decode_args("a=1&b&c=3", 2)')).toMatchObject({ a: { a: '1', b: true }, b: 'truncated' });
    // lua-nginx-module's parser: empty names skipped, every `&`-ended piece counted, a bad escape kept as written
    expect(await results('return ngx.decode_args("=x&&a=%zz%41&", 3)')).toMatchObject({ a: { a: '%zzA' }, b: 'truncated' });
    expect(await results('return ngx.decode_args("a=1&b=2", 2)')).toMatchObject({ a: { a: '1', b: '2' } });
    expect((await results('return ngx.decode_args("a=1&b=2", 0)')).a).toEqual({ a: '1', b: '2' });
    expect((await results('return ngx.decode_args("a", nil)')).a).toContain('number expected, got nil');
    expect((await results('return ngx.escape_uri("a b/(c)?")')).a).toBe('a%20b%2F(c)%3F');
  });

  it('ngx.null, hashes, checksums, time formats and quote_sql_str', async () => {
    expect((await results('return { v = ngx.null, t = type(ngx.null) }')).a).toEqual({ v: null, t: 'userdata' });
    expect((await results('return ngx.md5(""), ngx.md5(nil), ngx.encode_base64(ngx.md5_bin("a"))')))
      .toMatchObject({ a: 'd41d8cd98f00b204e9800998ecf8427e', b: 'd41d8cd98f00b204e9800998ecf8427e', c: 'DMF1ucDxtqgxw5niaXcmYQ==' });
    expect((await results('return ngx.encode_base64(ngx.sha1_bin("abc")), ngx.encode_base64(ngx.hmac_sha1("key", "The quick brown fox jumps over the lazy dog")), ngx.crc32_long("hello")')))
      .toMatchObject({ a: 'qZk+NkcGgWq6PiVxeFDCbJzQ2J0=', b: '3nybhbi3iqa8ino29wqQcBydtNk=', c: 907060870 });
    expect((await results('return ngx.crc32_short("hello")')).a).toBe(907060870);
    expect((await results('return ngx.http_time(1290079655), ngx.cookie_time(1290079655), ngx.cookie_time(2200000000)')))
      .toMatchObject({ a: 'Thu, 18 Nov 2010 11:27:35 GMT', b: 'Thu, 18-Nov-10 11:27:35 GMT', c: 'Sun, 18-Sep-2039 23:06:40 GMT' });
    expect((await results('return ngx.parse_http_time("Thu, 18 Nov 2010 11:27:35 GMT"), ngx.parse_http_time("Thursday, 18-Nov-10 11:27:35 GMT"), ngx.parse_http_time("Thu Nov 18 11:27:35 2010")')))
      .toMatchObject({ a: 1290079655, b: 1290079655, c: 1290079655 });
    expect((await results('return ngx.parse_http_time("yesterday")')).a).toBeUndefined();
    expect((await results('return ngx.quote_sql_str("a\'b\\n\\\\")')).a).toBe("'a\\'b\\n\\\\'");
    const times = await results('ngx.update_time(); return ngx.utctime(), ngx.localtime(), ngx.today()');
    expect(times.a).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(times.b).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    expect(times.c).toMatch(/^\d{4}-\d\d-\d\d$/);
  });

  it("ngx.http_time / cookie_time take the time_t OpenResty's FFI makes of any number (never JavaScript's Invalid Date or NaN)", async () => {
    const EPOCH = 'Thu, 01 Jan 1970 00:00:00 GMT';
    // x86-64 LuaJIT: NaN, the infinities and 2^63 or more become INT64_MIN, which ngx_gmtime clamps to the epoch
    for (const arg of ['0/0', '-1', '-0.5', '1e308', '-1e308', 'math.huge', '-math.huge']) {
      expect({ arg, ...(await results(`return ngx.http_time(${arg}), ngx.cookie_time(${arg})`)) }).toMatchObject({ arg, ok: true, a: EPOCH, b: 'Thu, 01-Jan-70 00:00:00 GMT' });
    }
    // within 64 bits but past ngx_gmtime's last day: December 31, 9999 23:59:59
    expect(await results('return ngx.http_time(1e18), ngx.cookie_time(1e18), ngx.http_time(253402300800)'))
      .toMatchObject({ ok: true, a: 'Fri, 31 Dec 9999 23:59:59 GMT', b: 'Fri, 31-Dec-9999 23:59:59 GMT', c: 'Fri, 31 Dec 9999 23:59:59 GMT' });
    // a fraction is cut toward zero
    expect(await results('return ngx.http_time(1.9), ngx.cookie_time(59.99)')).toMatchObject({ a: 'Thu, 01 Jan 1970 00:00:01 GMT', b: 'Thu, 01-Jan-70 00:00:59 GMT' });
    // lua-resty-core's type checks: a numeric string is no number, a number no string
    expect(await results('return ngx.http_time("0")')).toMatchObject({ ok: false, a: 'number argument only' });
    expect(await results('return ngx.cookie_time()')).toMatchObject({ ok: false, a: 'number argument only' });
    expect(await results('return ngx.parse_http_time(1290079655)')).toMatchObject({ ok: false, a: 'string argument only' });
  });

  it("ngx.parse_http_time reads as nginx's ngx_parse_http_time: any four-digit year, day 0, nothing after the seconds", async () => {
    const cases: Array<[string, number | undefined]> = [
      // years below 100 are not JavaScript's 19xx
      ['Sat, 01 Jan 0050 00:00:00 GMT', -60589296000],
      ['Wed, 31 Dec 1969 23:59:58 GMT', -2],
      // NGX_ERROR is -1: that one second reads as nil
      ['Wed, 31 Dec 1969 23:59:59 GMT', undefined],
      ['Fri, 31 Dec 9999 23:59:59 GMT', 253402300799],
      ['Sun, 01 Jan 2040 00:00:00 GMT', 2208988800],
      ['Mon, 00 Jan 2024 00:00:00 GMT', 1703980800],
      ['Thu, 18 Nov 2010 11:27:35 and then anything', 1290079655],
      ['Thu, 29 Feb 2010 11:27:35 GMT', undefined],
      ['Thu, 18 nov 2010 11:27:35 GMT', undefined],
      ['Thu, 8 Nov 2010 11:27:35 GMT', undefined],
    ];
    for (const [text, expected] of cases) {
      expect({ text, value: (await results(`return ngx.parse_http_time(${JSON.stringify(text)})`)).a }).toEqual({ text, value: expected });
    }
  });

  it('ngx.req.set_method takes the method constants; set_uri sets $uri (not the upstream path, as in Kong); set_uri_args a table or string', async () => {
    const r = await results('ngx.req.set_method(ngx.HTTP_PATCH); ngx.req.set_uri("/moved"); ngx.req.set_uri_args({ a = "x y", l = { "1", "2" } }); return ngx.var.uri, kong.request.get_path()');
    expect(r).toMatchObject({ ok: true, a: '/moved', b: '/things/42' });
    expect(r.run.request.method).toBe('PATCH');
    expect(r.run.request.getPath()).toBe('/things/42');
    expect(r.run.request.upstreamQuery()).toMatch(/^\?(a=x%20y&l=1&l=2|l=1&l=2&a=x%20y)$/);
    expect((await results('ngx.req.set_uri_args("b=1&c\\r d")')).run.request.upstreamQuery()).toBe('?b=1&c%0D%20d');
    expect((await results('return ngx.req.set_method(3)')).a).toBe('unsupported HTTP method: 3');
    expect((await results('return ngx.req.set_uri("")')).a).toBe('attempt to use zero-length uri');
    expect((await results('return ngx.req.set_uri("/a\\nb")')).a).toMatch(/^unsafe byte "0x0a" in uri ".*" \(maybe you want to set the 'binary' argument\?\)$/);
    expect((await results('ngx.req.set_uri("/a b"); return ngx.var.uri')).a).toBe('/a b');
    expect((await results('ngx.req.set_uri("/a\\nb", false, true); return ngx.var.uri')).a).toBe('/a\nb');
    expect((await results('return ngx.req.set_uri("/a", true)')).a).toBe('API disabled in the context of access_by_lua*');
    expect((await results('return ngx.req.set_uri_args(true)')).a).toContain('string, number, or table expected, but got boolean');
  });

  it('ngx.req: get_post_args, set_body_data, http_version, start_time, is_internal, discard_body; ngx.resp.get_headers; ngx.redirect', async () => {
    const post = await results('local args = ngx.req.get_post_args(); ngx.req.discard_body(); ngx.req.set_body_data("raw!"); return args, ngx.req.http_version(), ngx.req.is_internal()', {
      readBody: async () => Buffer.from('a=1&b&a=2'), headers: { host: 'api.test', 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(post).toMatchObject({ ok: true, a: { a: ['1', '2'], b: true }, b: 1.1, c: false });
    expect(post.run.request.bodyOverride.toString()).toBe('raw!');
    const start = await results('return ngx.req.start_time()');
    expect(Math.abs(start.a - Date.now() / 1000)).toBeLessThan(5);
    const redirect = await runWith([access('return ngx.redirect("/login?next=1", ngx.HTTP_MOVED_PERMANENTLY)')]);
    expect(redirect.response.exitResponse!.status).toBe(301);
    expect(redirect.response.exitResponse!.headers.location).toBe('/login?next=1');
    expect(redirect.response.exitResponse!.body.toString()).toContain('<title>301 Moved Permanently</title>');
    expect((await runWith([access('ngx.redirect("/x")')])).response.exitResponse!.status).toBe(302);
    expect((await results('return ngx.redirect("/x", 200)')).a).toContain('only ngx.HTTP_MOVED_TEMPORARILY');
    expect((await results('return ngx.redirect("/x\\r\\nSet-Cookie: a=b")')).a).toBe('unsafe byte "0x0d" in redirect uri "/x\\x0D\\x0ASet-Cookie: a=b"');
    const hf = await runWith([['pre-function', { access: ['kong.response.set_header("x-a", "1")'], header_filter: ['local h = ngx.resp.get_headers(); kong.response.set_header("x-seen", h.X_A .. "|" .. h["content-type"])'] }]]);
    const headers: Record<string, string | string[] | number | undefined> = { 'content-type': 'text/plain' };
    runHeaderFilter(hf, 200, headers);
    expect(headers['x-seen']).toBe('1|text/plain');
  });

  it('kong.table.merge, kong.version / version_num, kong.plugin.get_id, kong.node.get_memory_stats, kong.log.deprecation', async () => {
    expect((await results('return kong.table.merge({ a = 1, b = 2, 3 }, { b = "x", c = true }), kong.table.merge(nil, { z = 1 }), kong.table.merge()')))
      .toMatchObject({ ok: true, a: { 1: 3, a: 1, b: 'x', c: true }, b: { z: 1 }, c: {} });
    expect((await results('return kong.version, kong.version_num'))).toMatchObject({ a: '3.10.0', b: 3010000 });
    expect((await results('return kong.plugin.get_id()')).a).toMatch(/^[0-9a-f-]{36}$/);
    const mem = await results('return kong.node.get_memory_stats(), kong.node.get_memory_stats("m", 3)');
    expect(mem.a.lua_shared_dicts).toEqual({});
    expect(mem.a.workers_lua_vms).toEqual([{ http_allocated_gc: expect.stringMatching(/^\d+$/), pid: process.pid }]);
    expect(mem.b.workers_lua_vms[0].http_allocated_gc).toMatch(/^\d+\.\d{3} MiB$/);
    expect((await results('return kong.node.get_memory_stats("V")')).a).toBe("invalid unit 'V' (expected 'k/K', 'm/M', or 'g/G')");
    expect((await results('return kong.node.get_memory_stats("k", -1)')).a).toBe('scale must be equal or greater than 0');
    const warned: string[] = [];
    const logger = log as { warn: (m: string) => void };
    const original = logger.warn;
    logger.warn = (m) => void warned.push(m);
    try {
      await results('kong.log.deprecation("old thing"); kong.log.deprecation.write("older ", "thing")');
    } finally {
      logger.warn = original;
    }
    expect(warned).toEqual(['[lua] old thing', '[lua] older thing']);
  });

  it("kong.log.deprecation: Kong's metadata suffix and trace, every call logged (Penlight neither dedups nor rate-limits)", async () => {
    const warned: string[] = [];
    const logger = log as { warn: (m: string) => void };
    const original = logger.warn;
    logger.warn = (m) => void warned.push(m);
    try {
      const r = await results(`
        for _ = 1, 3 do kong.log.deprecation("old ", "thing", 2, { after = "2.5.0", removal = "3.0.0" }) end
        kong.log.deprecation("a", { after = 2.6 })
        kong.log.deprecation("b", { removal = "3.0.0", after = false })
        kong.log.deprecation("c", { trace = true })
        kong.log.deprecation({ after = "1.0.0" })
        kong.log.deprecation.write("d", { "not metadata" })`);
      expect(r.ok).toBe(true);
    } finally {
      logger.warn = original;
    }
    const suffixed = '[lua] old thing2 (deprecated after 2.5.0, scheduled for removal in 3.0.0)';
    expect(warned.slice(0, 6)).toEqual([suffixed, suffixed, suffixed, '[lua] a (deprecated after 2.6)', '[lua] b (scheduled for removal in 3.0.0)', expect.stringMatching(/^\[lua\] c stack traceback:\n\t\[string "local ok/)]);
    expect(warned[6]).toBe('[lua]  (deprecated after 1.0.0)');
    expect(warned[7]).toMatch(/^\[lua\] dtable: /);
    expect(warned).toHaveLength(8);
    expect(await results('kong.log.deprecation("@on")')).toMatchObject({ ok: false, a: "message cannot start with '@'" });
    expect(await results('kong.log.deprecation("x", true, "y")')).toMatchObject({ ok: false, a: "invalid value (at index 2) in table for 'concat'" });
  });

  it('ngx.get_phase, the ngx.HTTP_<METHOD> constants, ngx.config and ngx.worker', async () => {
    expect((await results('return ngx.get_phase(), { ngx.HTTP_GET, ngx.HTTP_POST, ngx.HTTP_PATCH, ngx.HTTP_TRACE, ngx.HTTP_NOT_IMPLEMENTED }')))
      .toMatchObject({ a: 'access', b: [2, 8, 16384, 32768, 501] });
    expect((await results('return { ngx.config.subsystem, ngx.config.debug, ngx.config.nginx_version, ngx.config.ngx_lua_version }')).a)
      .toEqual(['http', false, 1027001, 10027]);
    expect((await results('return { ngx.worker.id(), ngx.worker.count(), ngx.worker.pid(), ngx.worker.exiting() }')).a).toEqual([0, 1, process.pid, false]);
  });
});

describe('untrusted_lua', () => {
  afterEach(() => { configureLua({ untrusted_lua: 'sandbox' }); resetLuaVm(); });

  it('off refuses the serverless plugins and fails template values', async () => {
    configureLua({ untrusted_lua: 'off' });
    resetLuaVm();
    const r = validatePluginConfig(registry.schemas, 'pre-function', { access: ['return'] });
    expect(JSON.stringify((r as { fields: unknown }).fields)).toContain("loading of untrusted Lua code disabled because 'untrusted_lua' config option is set to 'off'");
    const run = await runWith([['request-transformer', { add: { headers: ['x:$(headers.host)'] } }]]);
    expect(run.response.exitResponse?.status).toBe(500);
  });

  it('sandbox allows require of untrusted_lua_sandbox_requires only', async () => {
    configureLua({ untrusted_lua: 'sandbox', untrusted_lua_sandbox_requires: ['string'] });
    resetLuaVm();
    const run = await runWith([access('kong.service.request.set_header("x", require("string").upper("ok"))')]);
    expect(run.request.getHeader('x')).toBe('OK');
  });

  it('on gives the snippets the whole Lua environment', async () => {
    configureLua({ untrusted_lua: 'on' });
    resetLuaVm();
    const run = await runWith([access('kong.ctx.shared.k = "v"; kong.service.request.set_header("x", type(io.write) .. type(load) .. kong.ctx.shared.k)')]);
    expect(run.request.getHeader('x')).toBe('functionfunctionv');
    const tpl = await runWith([['request-transformer', { add: { headers: ['y:$(string.upper(headers.host))'] } }]]);
    expect(tpl.request.getHeader('y')).toBe('API.TEST');
  });
});

describe('unknownPdkName', () => {
  it.each([
    ['kong.request.get_header("a")', undefined],
    ['kong.ctx.shared.anything.deep = 1', undefined],
    ['local v = ngx.var.whatever', undefined],
    ['-- kong.cache.get in a comment\nlocal s = "kong.db.x"', undefined],
    ['kong.db.routes:select()', 'kong.db'],
    ['ngx.re.match(s, "x")', undefined],
    ['ngx.shared.cache:get("k")', 'ngx.shared'],
    ['kong.request.get_foo()', 'kong.request.get_foo'],
    ['kong.service.request.set_body({}, "application/json"); ngx.encode_args({}); local v = ngx.config.subsystem', undefined],
    ['ngx.config.prefix()', 'ngx.config.prefix'],
    ['kong.table.merge(a, b); kong.plugin.get_id(); kong.log.deprecation.write("x"); ngx.resp.get_headers(); ngx.req.set_uri("/x")', undefined],
  ])('%s', (src, expected) => {
    expect(unknownPdkName(src)).toBe(expected);
  });
});
