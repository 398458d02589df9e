// pre-function and post-function through a real `tollgate start` node configured over the Admin API: Kong's
// PDK snippets on live traffic, their failures, the instruction budget, set_target, set_status in header_filter,
// kong.response.error, kong.service.response, uri captures, load_consumer + authenticate with a consumer's plugin, set_serialize_value reaching
// file-log, the certificate phase on HTTPS and TLS stream handshakes, and the config-time refusals (unknown PDK names, syntax errors, untrusted_lua = off).
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { createServer as createHttpsServer, request as httpsRequest, type Server as HttpsServer } from 'node:https';
import { connect as tcpConnect, createServer as createTcpServer, type AddressInfo, type Server as TcpServer } from 'node:net';
import { issueCertificate } from '@tollgate/pki';
import { join } from 'node:path';
import { startEchoUpstream, type EchoUpstream } from '@tollgate/plugins/testing';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';

describe('pre-function / post-function on a running node', () => {
  let node: RunningNode;
  let upstream: EchoUpstream;
  let other: EchoUpstream;
  /** An HTTPS upstream behind a plain http service: reached only once a snippet calls set_scheme("https"). */
  let tlsUpstream: HttpsServer;
  let admin: string;
  let proxy: string;
  let logFile: string;
  /** Answers 200 after 1.5 s: within a service's read_timeout, not within a snippet's set_timeouts. */
  let slowUpstream: HttpServer;
  /** Accepts and closes every connection before any response: each proxy attempt (first try or retry) is one. */
  let dropper: TcpServer;
  let dropped = 0;

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
    tlsUpstream = createHttpsServer(issueCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1'] }), (req, res) => res.end(`tls ${req.url}`));
    // and a WebSocket endpoint: the 101 names the scheme it was reached over, then frames are echoed back
    tlsUpstream.on('upgrade', (req, socket) => {
      const accept = createHash('sha1').update(`${req.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
      socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\nX-Reached-Over: tls\r\n\r\n`);
      socket.on('data', (d) => socket.write(d));
      socket.on('error', () => {});
    });
    await new Promise<void>((r) => tlsUpstream.listen(0, '127.0.0.1', r));
    const prefix = tempPrefix();
    logFile = join(prefix, 'requests.log');
    // the loopback test client is a trusted proxy: its X-Forwarded-* headers are the client's (get_forwarded_*)
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { trusted_ips: '127.0.0.1/32', real_ip_header: 'X-Forwarded-For' })), '-p', prefix]);
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
    await route('rewritten', [pre([
      'local body = kong.request.get_raw_body()',
      'kong.service.request.set_method("PUT")',
      'kong.service.request.set_path("/rewritten/path")',
      'kong.service.request.set_query({ a = "1", tag = "x" })',
      'kong.service.request.set_raw_body(body:upper())',
      'kong.service.request.add_header("x-added", "one")',
      'kong.service.request.clear_header("x-drop")',
    ].join('\n'))]);
    await route('buffered', [{ name: 'pre-function', config: {
      access: ['kong.service.request.enable_buffering()'],
      // a HEAD answer has no body to decode: get_raw_body is "" and get_body gives nil, err (indexing it would fail the request)
      header_filter: ['local body = kong.service.response.get_body(); kong.response.set_header("x-service-path", (body and body.path or "none") .. " " .. #kong.service.response.get_raw_body())'],
    } }]);
    await route('unbuffered', [{ name: 'post-function', config: { header_filter: ['kong.service.response.get_raw_body()'] } }]);
    // a filter phase that throws: pre-function's header_filter runs before post-function's (priority), which must not run
    await route('hfboom', [
      { name: 'pre-function', config: { header_filter: ['if kong.request.get_query_arg("boom") then error("boom in header_filter") end'] } },
      { name: 'post-function', config: { header_filter: ['kong.log.err("post-function header_filter ran for ", kong.request.get_query_arg("n"))'], log: ['kong.log.notice("hfboom log phase ran for ", kong.request.get_query_arg("n"))'] } },
    ]);
    await route('crlf', [pre('kong.response.set_header("x-a", "a\\r\\nInjected: 1")', 'kong.service.request.set_header("x-up", "b\\nc")', 'kong.response.add_header("x-b", "z\\0")')]);
    await route('badarg', [pre([
      'local case = kong.request.get_query_arg("case")',
      'if case == "headers" then kong.response.exit(200, "x", "notatable") end',
      'if case == "header-value" then kong.response.exit(200, "x", { a = { 1 } }) end',
      'if case == "body" then kong.response.exit(200, { f = print }) end',
      'if case == "method" then kong.service.request.set_method("BAD METHOD") end',
    ].join('\n'))]);
    await route('redos', [pre('local s = kong.request.get_query_arg("s"); local m = ngx.re.match(s, "^(a+)+$", "i"); return kong.response.exit(200, { matched = m ~= nil, ci = ngx.re.match(s, "^A+", "i")[0] })')]);
    await route('lfname', [pre('kong.response.set_header("x-a\\nb", "1")', 'kong.service.request.set_header("x-up\\nc", "2")')]);
    await route('bfboom', [{ name: 'post-function', config: { body_filter: ['error("boom in body_filter")'] } }]);
    await route('form', [pre('local body, err, mime = kong.request.get_body(); return kong.response.exit(200, { body = body, err = err, mime = mime })')]);
    await route('seturi', [pre([
      'ngx.req.set_uri("/moved")',
      'ngx.req.set_uri_args(ngx.encode_args({ a = "x y", n = 1 }) .. "&" .. ngx.var.args)',
      'ngx.req.set_method(ngx.HTTP_PUT)',
      'kong.service.request.set_header("x-uri", ngx.var.uri)',
    ].join('\n'))]);
    await route('setbody', [pre([
      'local kind = kong.request.get_query_arg("kind")',
      'if kind == "json" then kong.service.request.set_body({ name = "a/b", list = { 1, 2 } }, "application/json")',
      'else kong.service.request.set_body({ b = { "1", "2" }, a = "x y", c = true }, "application/x-www-form-urlencoded") end',
      'kong.service.request.set_query({ kind = kind, enc = ngx.encode_args({ k = "v w" }) })',
    ].join('\n'))]);
    await route('plain', []);
    slowUpstream = createHttpServer((req, res) => void setTimeout(() => res.end('slow'), 1500));
    await new Promise<void>((r) => slowUpstream.listen(0, '127.0.0.1', r));
    dropper = createTcpServer((socket) => { dropped++; socket.destroy(); });
    await new Promise<void>((r) => dropper.listen(0, '127.0.0.1', r));
    const port = (server: HttpServer | TcpServer) => (server.address() as AddressInfo).port;
    expect((await http('POST', `${admin}/services`, { body: { name: 'slow', url: `http://127.0.0.1:${port(slowUpstream)}` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services`, { body: { name: 'dropper', url: `http://127.0.0.1:${port(dropper)}`, retries: 4 } })).status).toBe(201);
    for (const [service, name, snippet] of [
      ['slow', 'slowdefault', null],
      // no retry either: nginx retries a read timeout (proxy_next_upstream timeout), each try with this bound
      ['slow', 'fastfail', 'kong.service.set_timeouts(1000, 1000, 100); kong.service.set_retries(0)'],
      ['dropper', 'retrydefault', null],
      ['dropper', 'noretry', 'kong.service.set_retries(0)'],
      ['dropper', 'badretries', 'kong.service.set_retries(40000)'],
    ] as const) {
      expect((await http('POST', `${admin}/services/${service}/routes`, { body: { name, paths: [`/${name}`] } })).status).toBe(201);
      if (snippet !== null) expect((await http('POST', `${admin}/routes/${name}/plugins`, { body: pre(snippet) })).status).toBe(201);
    }
    const tlsPort = (tlsUpstream.address() as AddressInfo).port;
    expect((await http('POST', `${admin}/services`, { body: { name: 'tls-behind-http', url: `http://127.0.0.1:${tlsPort}` } })).status).toBe(201);
    for (const [name, snippet] of [['scheme', 'kong.service.request.set_scheme("https")'], ['noscheme', 'kong.service.request.set_header("x-a", "1")']]) {
      expect((await http('POST', `${admin}/services/tls-behind-http/routes`, { body: { name, paths: [`/${name}`] } })).status).toBe(201);
      expect((await http('POST', `${admin}/routes/${name}/plugins`, { body: pre(snippet) })).status).toBe(201);
    }
    expect((await http('POST', `${admin}/services/tls-behind-http/routes`, { body: { name: 'wsboom', paths: ['/wsboom'] } })).status).toBe(201);
    expect((await http('POST', `${admin}/routes/wsboom/plugins`, { body: { name: 'pre-function', config: {
      access: ['kong.service.request.set_scheme("https")'], header_filter: ['error("boom in a WebSocket header_filter")'],
    } } })).status).toBe(201);
    await route('setstatus', [{ name: 'post-function', config: { header_filter: [
      'kong.response.set_status(tonumber(kong.request.get_query_arg("to")))',
      'kong.response.set_header("x-service-status", kong.service.response.get_status())',
    ] } }]);
    await route('trust', [pre('kong.response.exit(200, { peer = kong.ip.is_trusted(kong.client.get_ip()), other = kong.ip.is_trusted("10.1.2.3") })')]);
    await route('hfexit', [{ name: 'post-function', config: { header_filter: ['kong.response.exit(503, { message = "maintenance" }, { ["Retry-After"] = "60" })'] } }]);
    await route('error', [pre('kong.response.error(tonumber(kong.request.get_query_arg("s")), kong.request.get_query_arg("m"), { ["X-Why"] = "lua" })')]);
    expect((await http('POST', `${admin}/services/echo/routes`, { body: { name: 'captures', paths: ['~/captures/(?<id>\\d+)/(\\w+)$'] } })).status).toBe(201);
    expect((await http('POST', `${admin}/routes/captures/plugins`, { body: pre('kong.response.exit(200, kong.request.get_uri_captures())') })).status).toBe(201);
    expect((await http('POST', `${admin}/consumers`, { body: { username: 'alice' } })).status).toBe(201);
    // a plugin scoped to alice: it applies once a snippet authenticated her
    expect((await http('POST', `${admin}/consumers/alice/plugins`, { body: { name: 'response-transformer', config: { add: { headers: ['x-for:alice'] } } } })).status).toBe(201);
    await route('authn', [pre([
      'local consumer = kong.client.load_consumer(kong.request.get_header("x-user"), true)',
      'if not consumer then return kong.response.error(401) end',
      'kong.client.authenticate(consumer, { id = "lua-credential" })',
      'kong.service.request.set_header("x-consumer", kong.client.get_consumer().username)',
    ].join('\n'))]);
    await route('info', [pre(`kong.response.exit(200, {
      method = kong.request.get_method(), path = kong.request.get_path(), q = kong.request.get_query_arg("q"),
      scheme = kong.request.get_scheme(), host = kong.request.get_host(), port = kong.request.get_port(),
      fwd_scheme = kong.request.get_forwarded_scheme(), fwd_host = kong.request.get_forwarded_host(),
      fwd_port = kong.request.get_forwarded_port(), fwd_prefix = kong.request.get_forwarded_prefix(),
      ip = kong.client.get_ip(), fwd_ip = kong.client.get_forwarded_ip(),
      node = kong.node.get_id(), service = kong.router.get_service().name, route = kong.router.get_route().name,
      var_method = ngx.var.request_method, var_uri = ngx.var.uri, var_remote_addr = ngx.var.remote_addr,
      var_realip = ngx.var.realip_remote_addr, req_header = ngx.req.get_headers()["x-one"],
    })`)]);
    await route('ctxs', [
      { name: 'pre-function', config: {
        access: ['kong.ctx.plugin.seen = "pre"; ngx.ctx.n = 7; ngx.req.set_header("x-ngx-set", "yes")'],
        header_filter: [
          'kong.response.set_header("x-plugin-ctx", kong.ctx.plugin.seen)',
          'kong.response.set_header("x-status", kong.response.get_status())',
          'kong.response.set_header("x-upstream-type", kong.response.get_header("content-type"))',
          'kong.response.add_header("x-multi", "a"); kong.response.add_header("x-multi", "b")',
          'kong.response.clear_header("x-upstream")',
        ],
      } },
      { name: 'post-function', config: {
        header_filter: ['kong.response.set_header("x-other-plugin-ctx", tostring(kong.ctx.plugin.seen)); kong.response.set_header("x-ngx-ctx", ngx.ctx.n)'],
      } },
    ]);
    await route('logphase', [{ name: 'post-function', config: {
      log: [
        'kong.log.err("log phase saw ", kong.response.get_status(), " for ", kong.request.get_path())', 'ngx.log(ngx.ERR, "ngx.log from the log phase")',
        'kong.log.inspect({ path = kong.request.get_path(), n = 1 })', 'kong.log("callable kong.log")',
      ],
    } }]);
    // rewrite runs only for global instances (as Kong); this one acts only when asked to, and a route with its own
    // pre-function runs that one instead (one instance of a plugin per request, the most specific)
    expect((await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', config: {
      rewrite: ['if kong.request.get_header("x-rewrite") then kong.service.request.set_header("x-rewritten", kong.request.get_header("x-rewrite")) end'],
    } } })).status).toBe(201);
    // the global plugin was created last: once it runs, every route above is served
    await waitFor(async () => ((await http('GET', `${proxy}/plain`, { headers: { 'x-rewrite': 'probe' } })).json?.headers?.['x-rewritten'] === 'probe' ? true : undefined), 'the config to be served');
  });

  afterAll(async () => {
    if (node) await stopNode(node);
    await upstream?.close();
    await other?.close();
    tlsUpstream?.closeAllConnections();
    await new Promise<void>((r) => (tlsUpstream ? tlsUpstream.close(() => r()) : r()));
    slowUpstream?.closeAllConnections();
    await new Promise<void>((r) => (slowUpstream ? slowUpstream.close(() => r()) : r()));
    await new Promise<void>((r) => (dropper ? dropper.close(() => r()) : r()));
  });

  it('kong.service.request.enable_buffering: header_filter reads the service\'s whole body; the client gets it unchanged', async () => {
    const r = await http('GET', `${proxy}/buffered/items?x=1`);
    expect(r.status).toBe(200);
    expect(r.json.path).toBe('/items'); // strip_path
    expect(r.headers['x-service-path']).toBe(`/items ${Buffer.byteLength(r.text)}`);
    expect(Number(r.headers['content-length'])).toBe(Buffer.byteLength(r.text));
    const head = await http('HEAD', `${proxy}/buffered/items`);
    expect([head.status, head.headers['x-service-path']]).toEqual([200, 'none 0']);
    // without enable_buffering the call fails that snippet (a header_filter error: Kong's 500), with Kong's message in the error log
    const unbuffered = await http('GET', `${proxy}/unbuffered`);
    expect([unbuffered.status, unbuffered.json?.message]).toEqual([500, 'An unexpected error occurred']);
    await waitFor(async () => (node.logs.some((l) => l.includes('service body is only available with buffered proxying')) ? true : undefined), 'the snippet error in the log');
  });

  it('kong.service.request.set_scheme("https") takes a WebSocket upgrade to a wss upstream too', async () => {
    const upgrade = (path: string) => new Promise<string>((resolve, reject) => {
      const socket = tcpConnect(node.port('proxy_listen'), '127.0.0.1', () => {
        socket.write(`GET ${path} HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`);
      });
      let received = '';
      socket.on('data', (d) => {
        received += d.toString('latin1');
        if (received.includes('\r\n\r\n') && !received.includes('ping')) socket.write('ping');
        if (received.includes('ping') || (received.includes('\r\n\r\n') && !received.startsWith('HTTP/1.1 101'))) { socket.destroy(); resolve(received); }
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    const tunnelled = await upgrade('/scheme/ws');
    expect(tunnelled).toMatch(/^HTTP\/1\.1 101 /);
    expect(tunnelled).toContain('X-Reached-Over: tls');
    expect(tunnelled.endsWith('ping')).toBe(true);
    // the same service without the snippet speaks cleartext to the TLS port: no 101
    expect(await upgrade('/noscheme/ws')).not.toMatch(/^HTTP\/1\.1 101 /);
    // a header_filter that throws on the upstream's 101: Kong's 500 instead, and no tunnel
    expect(await upgrade('/wsboom/ws')).toMatch(/^HTTP\/1\.1 500 /);
    await waitFor(async () => (node.logs.some((l) => l.includes('boom in a WebSocket header_filter')) ? true : undefined), 'the Lua error in the log');
  });

  it('kong.request.get_body decodes JSON, forms and multipart form data, with Kong\'s value, err, mimetype', async () => {
    const multipart = ['--b1', 'Content-Disposition: form-data; name="title"', '', 'Hi there', '--b1', 'Content-Disposition: form-data; name="n"', '', '42', '--b1--', ''].join('\r\n');
    const form = await http('POST', `${proxy}/form`, { body: multipart, headers: { 'content-type': 'multipart/form-data; boundary=b1' } });
    expect(form.json).toEqual({ body: { title: 'Hi there', n: '42' }, mime: 'multipart/form-data' });
    const json = await http('POST', `${proxy}/form`, { body: { a: [1, 2] } });
    expect(json.json).toEqual({ body: { a: [1, 2] }, mime: 'application/json' });
    const urlencoded = await http('POST', `${proxy}/form`, { body: 'a=1&a=2&b=x', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(urlencoded.json).toEqual({ body: { a: ['1', '2'], b: 'x' }, mime: 'application/x-www-form-urlencoded' });
    const other = await http('POST', `${proxy}/form`, { body: 'x,y', headers: { 'content-type': 'text/csv' } });
    expect(other.json).toEqual({ err: "unsupported content type 'text/csv'", mime: 'text/csv' });
  });

  it('kong.service.request.set_body sends a JSON or form body (and its Content-Type) upstream; set_query / ngx.encode_args the query', async () => {
    const json = await http('POST', `${proxy}/setbody?kind=json`, { body: 'ignored', headers: { 'content-type': 'text/plain' } });
    expect(json.status).toBe(200);
    expect(json.json.body).toContain('"a\\/b"'); // cjson escapes '/'
    expect(JSON.parse(json.json.body)).toEqual({ name: 'a/b', list: [1, 2] });
    expect(json.json.headers['content-type']).toBe('application/json');
    expect(json.json.headers['content-length']).toBe(String(Buffer.byteLength(json.json.body)));
    expect(json.json.query).toEqual({ kind: 'json', enc: 'k=v%20w' });
    const form = await http('POST', `${proxy}/setbody?kind=form`, { body: 'x=1', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(form.status).toBe(200);
    expect(form.json.body).toBe('a=x%20y&b=1&b=2&c');
    expect(form.json.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });

  it('ngx.req.set_uri sets ngx.var.uri but not the upstream path (as in Kong); set_uri_args with ngx.encode_args and set_method reach the upstream', async () => {
    const r = await http('GET', `${proxy}/seturi/x?keep=1`);
    expect(r.status).toBe(200);
    expect(r.json.headers['x-uri']).toBe('/moved');
    expect(r.json.path).toBe('/x');
    expect(r.json.method).toBe('PUT');
    expect(r.json.query).toEqual({ a: 'x y', n: '1', keep: '1' });
  });

  it('kong.service.set_timeouts bounds this request by the snippet\'s read timeout, not the service\'s', async () => {
    expect((await http('GET', `${proxy}/slowdefault`)).text).toBe('slow');
    const started = performance.now();
    const r = await http('GET', `${proxy}/fastfail`, { headers: { accept: 'application/json' } });
    expect(r.status).toBe(504);
    expect(r.json.message).toBe('The upstream server is timing out');
    expect(performance.now() - started).toBeLessThan(1200);
  });

  it('kong.service.set_retries replaces the service\'s retries for this request (Kong\'s message on a bad value)', async () => {
    dropped = 0;
    expect((await http('GET', `${proxy}/retrydefault`)).status).toBe(502);
    expect(dropped).toBe(5); // the first try and the service's 4 retries
    dropped = 0;
    expect((await http('GET', `${proxy}/noretry`)).status).toBe(502);
    expect(dropped).toBe(1);
    const bad = await http('GET', `${proxy}/badretries`);
    expect(bad.status).toBe(500);
    expect(bad.json.message).toBe('An unexpected error occurred');
    await waitFor(async () => (node.logs.some((l) => l.includes('retries must be an integer between 0 and 32767: given 40000')) ? true : undefined), 'the snippet error in the log');
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

  it('a header_filter snippet that throws fails the request with Kong\'s 500 and ends the phase: later plugins\' header_filter does not run, the log phase does', async () => {
    // without the error the upstream's answer passes through both plugins
    const fine = await http('GET', `${proxy}/hfboom?n=fine`);
    expect(fine.status).toBe(200);
    await waitFor(async () => (node.logs.some((l) => l.includes('post-function header_filter ran for fine')) ? true : undefined), 'post-function\'s header_filter on a good request');
    const r = await http('GET', `${proxy}/hfboom?boom=1&n=failed`);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ message: 'An unexpected error occurred', request_id: r.headers['x-kong-request-id'] });
    expect(r.headers['content-type']).toMatch(/^application\/json/);
    await waitFor(async () => (node.logs.some((l) => l.includes('boom in header_filter')) ? true : undefined), 'the Lua error in the log');
    await waitFor(async () => (node.logs.some((l) => l.includes('hfboom log phase ran for failed')) ? true : undefined), 'the log phase of the failed request');
    expect(node.logs.some((l) => l.includes('post-function header_filter ran for failed'))).toBe(false);
    // the connection and the node go on serving
    expect((await http('GET', `${proxy}/hfboom?n=after`)).status).toBe(200);
  });

  it('a body_filter snippet that throws fails the (buffered) response with Kong\'s 500 instead of the upstream\'s', async () => {
    const r = await http('GET', `${proxy}/bfboom/x`);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ message: 'An unexpected error occurred', request_id: r.headers['x-kong-request-id'] });
    await waitFor(async () => (node.logs.some((l) => l.includes('boom in body_filter')) ? true : undefined), 'the Lua error in the log');
    expect((await http('GET', `${proxy}/pre`)).status).toBe(200);
  });

  it.each([
    ['headers', 'headers must be a nil or table'],
    ['header-value', 'invalid header value in array \\"a\\": got number, expected string'], // the log line is JSON
    ['body', 'body encoding failed while flushing response: Cannot serialise function: type not supported'],
    ['method', 'invalid method: BAD METHOD'],
  ])("a PDK call with an argument Kong refuses (%s) fails the snippet with Kong's 500, and the node keeps serving", async (which, message) => {
    const r = await http('GET', `${proxy}/badarg?case=${which}`);
    expect(r.status).toBe(500);
    expect(r.json).toEqual({ message: 'An unexpected error occurred', request_id: r.headers['x-kong-request-id'] });
    await waitFor(async () => (node.logs.some((l) => l.includes(message)) ? true : undefined), 'the Lua error in the log');
    expect((await http('GET', `${proxy}/badarg`)).status).toBe(200);
  });

  it('ngx.re with option "i" on a pattern that backtracks without end holds no worker (V8\'s linear-time fallback), and still matches case-insensitively', async () => {
    const evil = `${proxy}/redos?s=${'a'.repeat(40)}!`;
    const answers = await Promise.all([http('GET', evil), http('GET', evil), http('GET', evil)]);
    expect(answers.map((a) => [a.status, a.json])).toEqual(Array(3).fill([200, { matched: false, ci: 'a'.repeat(40) }]));
    expect((await http('GET', `${proxy}/redos?s=aAa`)).json).toEqual({ matched: true, ci: 'aAa' });
    expect((await http('GET', `${proxy}/pre`)).status).toBe(200);
  });

  it('a header name with a line break is escaped as OpenResty escapes it, on the response and the upstream request (it was a 502)', async () => {
    const r = await http('GET', `${proxy}/lfname`);
    expect(r.status).toBe(200);
    expect(r.headers['x-a%0ab']).toBe('1');
    expect(r.json.headers['x-up%0ac']).toBe('2'); // what the upstream got
  });

  it('CR, LF and NUL in a header value a snippet sets are percent-escaped, as OpenResty stores them (the answer was cut before)', async () => {
    const r = await http('GET', `${proxy}/crlf`);
    expect(r.status).toBe(200);
    expect([r.headers['x-a'], r.headers['x-b'], r.headers.injected]).toEqual(['a%0D%0AInjected: 1', 'z%00', undefined]);
    expect(r.json.headers['x-up']).toBe('b%0Ac'); // what the upstream got
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

  it('kong.request.get_raw_body and kong.service.request.set_method/set_path/set_query/set_raw_body/add_header/clear_header', async () => {
    const r = await http('POST', `${proxy}/rewritten/x?gone=1`, { body: 'hello body', headers: { 'content-type': 'text/plain', 'x-drop': 'bye' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ method: 'PUT', path: '/rewritten/path', query: { a: '1', tag: 'x' }, body: 'HELLO BODY' });
    expect(r.json.headers['x-added']).toBe('one');
    expect(r.json.headers['x-drop']).toBeUndefined();
    expect(r.json.headers['content-length']).toBe('10');
  });

  it('kong.request.*, get_forwarded_* from a trusted proxy, kong.client, kong.node, kong.router, ngx.var and ngx.req', async () => {
    const nodeId = (await http('GET', `${admin}/`)).json.node_id;
    const port = node.port('proxy_listen');
    const r = await http('GET', `${proxy}/info/sub?q=42`, { headers: {
      host: 'GW.test', 'x-one': '1', 'x-forwarded-for': '203.0.113.9', 'x-forwarded-proto': 'https',
      'x-forwarded-host': 'api.example', 'x-forwarded-port': '8443', 'x-forwarded-prefix': '/gw',
    } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({
      method: 'GET', path: '/info/sub', q: '42', scheme: 'http', host: 'gw.test', port,
      fwd_scheme: 'https', fwd_host: 'api.example', fwd_port: 8443, fwd_prefix: '/gw',
      ip: '127.0.0.1', fwd_ip: '203.0.113.9', node: nodeId, service: 'echo', route: 'info',
      var_method: 'GET', var_uri: '/info/sub', var_remote_addr: '203.0.113.9', var_realip: '127.0.0.1', req_header: '1',
    });
  });

  it('kong.ctx.plugin is per plugin, ngx.ctx per request; kong.response getters and setters in header_filter; ngx.req.set_header', async () => {
    const r = await http('GET', `${proxy}/ctxs`);
    expect(r.status).toBe(200);
    expect(r.json.headers['x-ngx-set']).toBe('yes');
    expect(r.headers).toMatchObject({
      'x-plugin-ctx': 'pre', 'x-other-plugin-ctx': 'nil', 'x-ngx-ctx': '7', 'x-status': '200',
      'x-upstream-type': 'application/json', 'x-multi': 'a, b',
    });
    expect(r.headers['x-upstream']).toBeUndefined();
  });

  it('a log-phase snippet runs after the response, and kong.log (callable, inspect) / ngx.log reach the error log', async () => {
    expect((await http('GET', `${proxy}/logphase/abc`)).status).toBe(200);
    await waitFor(async () => (node.logs.some((l) => l.includes('log phase saw 200 for /logphase/abc')) ? true : undefined), 'the kong.log line');
    await waitFor(async () => (node.logs.some((l) => l.includes('ngx.log from the log phase')) ? true : undefined), 'the ngx.log line');
    await waitFor(async () => (node.logs.some((l) => l.includes('"level":"notice"') && l.includes('{ n = 1, path = \\"/logphase/abc\\" }')) ? true : undefined), 'the kong.log.inspect line at notice');
    await waitFor(async () => (node.logs.some((l) => l.includes('callable kong.log')) ? true : undefined), 'the kong.log(...) line');
  });

  it('a global rewrite snippet runs for routes without their own pre-function; a route-scoped one replaces it', async () => {
    expect((await http('GET', `${proxy}/plain`, { headers: { 'x-rewrite': 'early' } })).json.headers['x-rewritten']).toBe('early');
    const scoped = await http('GET', `${proxy}/pre`, { headers: { 'x-rewrite': 'early', 'x-in': 'v' } });
    expect(scoped.json.headers['x-pre']).toBe('v');
    expect(scoped.json.headers['x-rewritten']).toBeUndefined();
  });

  it('kong.response.set_status in header_filter: the client gets that status; a bodiless one drops the body', async () => {
    const teapot = await http('GET', `${proxy}/setstatus?to=418`);
    expect(teapot.status).toBe(418);
    expect(teapot.headers['x-service-status']).toBe('200'); // kong.service.response.get_status: the service's
    expect(teapot.json.method).toBe('GET'); // the upstream's body, passed on
    const empty = await http('GET', `${proxy}/setstatus?to=204`);
    expect([empty.status, empty.text]).toEqual([204, '']);
    // the node goes on serving (the upstream body it dropped did not stall anything)
    expect((await http('GET', `${proxy}/setstatus?to=200`)).status).toBe(200);
  });

  it('kong.service.request.set_scheme("https") reaches the service over TLS', async () => {
    const r = await http('GET', `${proxy}/scheme/x`);
    expect([r.status, r.text]).toEqual([200, 'tls /x']);
    // the same service without it speaks plain HTTP to the TLS port
    expect((await http('GET', `${proxy}/noscheme/x`)).status).toBe(502);
  });

  it('kong.ip.is_trusted reads trusted_ips', async () => {
    const r = await http('GET', `${proxy}/trust`);
    expect([r.status, r.json]).toEqual([200, { peer: true, other: false }]);
  });

  it('kong.response.exit in header_filter replaces the upstream\'s answer, body included', async () => {
    const r = await http('GET', `${proxy}/hfexit`);
    expect([r.status, r.json, r.headers['retry-after']]).toEqual([503, { message: 'maintenance' }, '60']);
  });

  it('kong.response.error answers in Kong\'s error format, with the default message for the status or the one given', async () => {
    const plain = await http('GET', `${proxy}/error?s=404`);
    expect(plain.status).toBe(404);
    expect(plain.json).toEqual({ message: 'Not found', request_id: plain.headers['x-kong-request-id'] });
    expect(plain.headers['x-why']).toBe('lua');
    const given = await http('GET', `${proxy}/error?s=503&m=down%20for%20maintenance`, { headers: { accept: 'text/plain' } });
    expect(given.status).toBe(503);
    expect(given.text).toContain('down for maintenance');
    expect(given.headers['content-type']).toContain('text/plain');
  });

  it('kong.request.get_uri_captures: the regex route\'s numbered and named captures', async () => {
    const r = await http('GET', `${proxy}/captures/42/edit`);
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ unnamed: ['42', 'edit'], named: { id: '42' } });
  });

  it('kong.client.load_consumer and kong.client.authenticate: the consumer\'s own plugins apply to the request', async () => {
    const r = await http('GET', `${proxy}/authn`, { headers: { 'x-user': 'alice' } });
    expect(r.status).toBe(200);
    expect(r.json.headers['x-consumer']).toBe('alice');
    expect(r.headers['x-for']).toBe('alice');
    const nobody = await http('GET', `${proxy}/authn`, { headers: { 'x-user': 'mallory' } });
    expect([nobody.status, nobody.json.message]).toEqual([401, 'Unauthorized']);
    expect(nobody.headers['x-for']).toBeUndefined();
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

/** GET over TLS to 127.0.0.1 naming `servername` in the handshake (SNI; '' sends none); rejects when the handshake fails. */
function httpsGet(port: number, path: string, servername: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest({ host: '127.0.0.1', port, path, servername, rejectUnauthorized: false, agent: false }, (res) => {
      let body = '';
      res.on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the certificate phase (global instances, every TLS handshake)', () => {
  let node: RunningNode;
  let upstream: EchoUpstream;
  let admin: string;
  let proxy: string;
  let tlsPort: number;

  beforeAll(async () => {
    upstream = await startEchoUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { proxy_listen: '127.0.0.1:0, 127.0.0.1:0 ssl, 127.0.0.1:0 http2 ssl', stream_listen: '127.0.0.1:0 ssl' })), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen', 0)}`;
    tlsPort = node.port('proxy_listen', 1);
    expect((await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/echo/routes`, { body: { name: 'r', paths: ['/r'] } })).status).toBe(201);
  }, 60_000);

  afterAll(async () => {
    await stopNode(node);
    await upstream.close();
  });

  it('the schema accepts config.certificate; a global snippet runs on the handshake with kong.log and kong.client.get_ip', async () => {
    const p = await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', config: { certificate: [
      'kong.ctx.shared.n = (kong.ctx.shared.n or 0) + 1',
      'kong.log.err("certificate phase from ", kong.client.get_ip(), " count ", kong.ctx.shared.n)',
    ] } } });
    expect(p.status).toBe(201);
    expect(p.json.config.certificate).toHaveLength(2);
    await waitFor(async () => {
      const r = await httpsGet(tlsPort, '/r', 'cert.test').catch(() => null);
      return r?.status === 200 && node.logs.some((l) => l.includes('certificate phase from 127.0.0.1 count 1')) ? true : undefined;
    }, 'the certificate-phase log line');
    // a handshake's kong.ctx does not carry over to the next handshake
    expect(node.logs.some((l) => l.includes('count 2'))).toBe(false);
    // the phase does not run for plain-HTTP requests
    const before = node.logs.filter((l) => l.includes('certificate phase from')).length;
    expect((await http('GET', `${proxy}/r`)).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(node.logs.filter((l) => l.includes('certificate phase from')).length).toBe(before);
    await http('DELETE', `${admin}/plugins/${p.json.id}`);
  });

  it('runs on a handshake without SNI too, on http/1.1 and http2 TLS listeners, and an error fails that handshake', async () => {
    const h2Port = node.port('proxy_listen', 2);
    const p = await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', config: { certificate: ['kong.log.err("nameless handshake phase")'] } } });
    expect(p.status).toBe(201);
    const count = () => node.logs.filter((l) => l.includes('nameless handshake phase')).length;
    // the plugin reaches the data plane; then each nameless handshake adds one line
    await waitFor(async () => ((await httpsGet(tlsPort, '/r', '').catch(() => null))?.status === 200 && count() > 0 ? true : undefined), 'the first line');
    for (const port of [tlsPort, h2Port]) {
      const before = count();
      expect((await httpsGet(port, '/r', '')).status).toBe(200);
      await waitFor(async () => (count() === before + 1 ? true : undefined), `one more line (port ${port})`);
    }
    expect((await http('PATCH', `${admin}/plugins/${p.json.id}`, { body: { config: { certificate: ['error("nameless boom")'] } } })).status).toBe(200);
    await waitFor(async () => ((await httpsGet(h2Port, '/r', '').then(() => false, () => true)) && node.logs.some((l) => l.includes('nameless boom')) ? true : undefined), 'the failed nameless handshake');
    await expect(httpsGet(tlsPort, '/r', '')).rejects.toThrow();
    expect((await http('GET', `${proxy}/r`)).status).toBe(200);
    await http('DELETE', `${admin}/plugins/${p.json.id}`);
    await waitFor(async () => ((await httpsGet(tlsPort, '/r', '').catch(() => null))?.status === 200 ? true : undefined), 'nameless TLS serving again');
  });

  it('a certificate snippet that errors (or reaches for the request) fails that handshake only; the node keeps serving', async () => {
    const p = await http('POST', `${admin}/plugins`, { body: { name: 'post-function', config: { certificate: ['error("cert boom")'] } } });
    expect(p.status).toBe(201);
    await waitFor(async () => ((await httpsGet(tlsPort, '/r', 'cert.test').then(() => false, () => true)) ? true : undefined), 'the failed handshake');
    await waitFor(async () => (node.logs.some((l) => l.includes('cert boom')) ? true : undefined), 'the error-log line');
    expect((await http('GET', `${proxy}/r`)).status).toBe(200);
    const patched = await http('PATCH', `${admin}/plugins/${p.json.id}`, { body: { config: { certificate: ['kong.request.get_path()'] } } });
    expect(patched.status).toBe(200);
    await waitFor(async () => {
      await httpsGet(tlsPort, '/r', 'cert.test').catch(() => undefined);
      return node.logs.some((l) => l.includes('kong.request functions cannot be called in the certificate phase')) ? true : undefined;
    }, 'the phase error');
    await expect(httpsGet(tlsPort, '/r', 'cert.test')).rejects.toThrow();
    await http('DELETE', `${admin}/plugins/${p.json.id}`);
    await waitFor(async () => ((await httpsGet(tlsPort, '/r', 'cert.test').catch(() => null))?.status === 200 ? true : undefined), 'TLS serving again');
    expect((await http('GET', `${proxy}/r`)).status).toBe(200);
  });

  it('runs on the handshakes of TLS stream listeners too (plugins whose protocols include tls), failing them on an error', async () => {
    expect((await http('POST', `${admin}/services`, { body: { name: 'raw', protocol: 'tcp', host: '127.0.0.1', port: upstream.port } })).status).toBe(201);
    expect((await http('POST', `${admin}/services/raw/routes`, { body: { name: 'tls-route', protocols: ['tls'], snis: ['stream.test'] } })).status).toBe(201);
    const streamPort = node.port('stream_listen');
    const p = await http('POST', `${admin}/plugins`, { body: { name: 'pre-function', protocols: ['tls'], config: { certificate: ['kong.log.err("stream certificate phase from ", kong.client.get_ip())'] } } });
    expect(p.status).toBe(201);
    await waitFor(async () => {
      const r = await httpsGet(streamPort, '/over-tls-stream', 'stream.test').catch(() => null);
      return r?.status === 200 && node.logs.some((l) => l.includes('stream certificate phase from 127.0.0.1')) ? true : undefined;
    }, 'the stream certificate-phase log line');
    // protocols ['tls'] only: HTTPS handshakes do not run it
    const before = node.logs.filter((l) => l.includes('stream certificate phase')).length;
    expect((await httpsGet(tlsPort, '/r', 'cert.test')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 300));
    expect(node.logs.filter((l) => l.includes('stream certificate phase')).length).toBe(before);
    expect((await http('PATCH', `${admin}/plugins/${p.json.id}`, { body: { config: { certificate: ['error("stream cert boom")'] } } })).status).toBe(200);
    await waitFor(async () => {
      const failed = await httpsGet(streamPort, '/x', 'stream.test').then(() => false, () => true);
      return failed && node.logs.some((l) => l.includes('stream cert boom')) ? true : undefined;
    }, 'the failed stream handshake');
    expect((await http('GET', `${proxy}/r`)).status).toBe(200);
    await http('DELETE', `${admin}/plugins/${p.json.id}`);
  });

  it('a route-scoped certificate snippet is accepted but never runs (Kong runs the phase for global plugins only)', async () => {
    const p = await http('POST', `${admin}/routes/r/plugins`, { body: { name: 'pre-function', config: { certificate: ['error("scoped cert")'], access: ['kong.service.request.set_header("x-scoped", "yes")'] } } });
    expect(p.status).toBe(201);
    await waitFor(async () => {
      const r = await httpsGet(tlsPort, '/r', 'cert.test').catch(() => null);
      return r?.status === 200 && JSON.parse(r.body).headers['x-scoped'] === 'yes' ? true : undefined;
    }, 'the route-scoped plugin in force');
    expect(node.logs.some((l) => l.includes('scoped cert'))).toBe(false);
    await http('DELETE', `${admin}/plugins/${p.json.id}`);
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

describe('untrusted_lua = sandbox with untrusted_lua_sandbox_requires', () => {
  let node: RunningNode;
  let upstream: EchoUpstream;
  afterAll(async () => {
    if (node) await stopNode(node);
    await upstream?.close();
  });

  it('require loads the listed modules only; another fails that request and the log names it', async () => {
    upstream = await startEchoUpstream();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix, { untrusted_lua_sandbox_requires: 'string' })), '-p', prefix]);
    const admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    const proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    expect((await http('POST', `${admin}/services`, { body: { name: 'echo', url: `http://127.0.0.1:${upstream.port}` } })).status).toBe(201);
    for (const [name, snippet] of [['allowed', 'kong.service.request.set_header("x-up", require("string").upper("ok"))'], ['refused', 'require("os").exit(1)']]) {
      expect((await http('POST', `${admin}/services/echo/routes`, { body: { name, paths: [`/${name}`] } })).status).toBe(201);
      expect((await http('POST', `${admin}/routes/${name}/plugins`, { body: { name: 'pre-function', config: { access: [snippet] } } })).status).toBe(201);
    }
    const ok = await waitFor(async () => {
      const r = await http('GET', `${proxy}/allowed`);
      return r.status === 200 ? r : undefined;
    }, 'the allowed route');
    expect(ok.json.headers['x-up']).toBe('OK');
    const refused = await waitFor(async () => {
      const r = await http('GET', `${proxy}/refused`);
      return r.status === 500 ? r : undefined;
    }, 'the refused route');
    expect(refused.json).toEqual({ message: 'An unexpected error occurred', request_id: refused.headers['x-kong-request-id'] });
    await waitFor(async () => (node.logs.some((l) => l.includes("require 'os' not allowed within sandbox")) ? true : undefined), 'the sandbox error in the log');
    expect((await http('GET', `${proxy}/allowed`)).status).toBe(200);
  });
});
