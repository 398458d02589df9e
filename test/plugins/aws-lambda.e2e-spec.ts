// aws-lambda through a real DB-less node against a local stand-in for Lambda's Invoke API that checks every
// SigV4 signature with npm's aws4 (static keys, and the node's environment credentials with a session token),
// over HTTP (disable_https) and HTTPS (the host/port override); the payload forms, proxy integration, invocation
// types, unhandled_status, Lambda's errors, and Kong's schema checks.
import nodeHttp from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { issueCertificate } from '@tollgate/pki';
import { http } from '../support/http';
import { createKit, type Kit } from './support/kit';
import { startFakeLambda, startFakeSts, type FakeLambda, type FakeSts } from './support/fake-lambda';

/** An HTTP forward proxy: absolute-form requests and CONNECT tunnels, each recorded. */
async function startForwardProxy() {
  const seen: string[] = [];
  const server = nodeHttp.createServer((req, res) => {
    seen.push(`${req.method} ${req.url}`);
    const u = new URL(req.url!);
    const up = nodeHttp.request({ host: u.hostname, port: u.port, path: u.pathname + u.search, method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    up.on('error', () => res.destroy());
    req.pipe(up);
  });
  server.on('connect', (req: nodeHttp.IncomingMessage, socket: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${req.url}`);
    const [host, port] = req.url!.split(':');
    const up = net.connect(Number(port), host, () => {
      socket.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      up.write(head);
      up.pipe(socket);
      socket.pipe(up);
    });
    up.on('error', () => socket.destroy());
    socket.on('error', () => up.destroy());
    socket.on('close', () => up.destroy());
  });
  // a tunnelled socket leaves the HTTP server's books (closeAllConnections misses it): track every one
  const sockets = new Set<net.Socket>();
  server.on('connection', (sock: net.Socket) => {
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    seen,
    close: () => new Promise<void>((ok) => {
      for (const sock of sockets) sock.destroy();
      server.close(() => ok());
    }),
  };
}

const STATIC = { id: 'AKIDSTATICEXAMPLE', secret: 'static/secret+KEY' };
const ENV = { id: 'ASIAENVEXAMPLE', secret: 'env-secret-key', token: 'session-token-123' };

describe('aws-lambda (proxy)', () => {
  let kit: Kit;
  let lambda: FakeLambda;
  let lambdaTls: FakeLambda;
  let sts: FakeSts;
  let proxy: Awaited<ReturnType<typeof startForwardProxy>>;

  beforeAll(async () => {
    const keys = { [STATIC.id]: { secret: STATIC.secret }, [ENV.id]: { secret: ENV.secret, sessionToken: ENV.token } };
    lambda = await startFakeLambda(keys);
    sts = await startFakeSts(keys);
    proxy = await startForwardProxy();
    lambdaTls = await startFakeLambda(keys, issueCertificate({ commonName: '127.0.0.1', altNames: ['127.0.0.1'], keyBits: 2048 }));
    kit = await createKit({ env: { AWS_ACCESS_KEY_ID: ENV.id, AWS_SECRET_ACCESS_KEY: ENV.secret, AWS_SESSION_TOKEN: ENV.token, AWS_REGION: 'us-west-2' } });
    const b = kit.builder;
    const s = b.service(kit.upstream.port, { name: 'unused' });
    const local = { host: '127.0.0.1', port: lambda.port, disable_https: true };
    const keyed = { ...local, aws_key: STATIC.id, aws_secret: STATIC.secret, aws_region: 'eu-west-1' };
    const add = (path: string, config: Record<string, unknown>) => b.plugin('aws-lambda', config, { route: b.route(s, [path]) });
    add('/default', { ...keyed, function_name: 'echo' });
    add('/env', { ...local, function_name: 'echo' });
    add('/tls', { host: '127.0.0.1', port: lambdaTls.port, aws_key: STATIC.id, aws_secret: STATIC.secret, aws_region: 'eu-west-1', function_name: 'echo', qualifier: 'prod', invocation_type: 'Event', log_type: 'None' });
    add('/dry', { ...keyed, function_name: 'echo', invocation_type: 'DryRun' });
    add('/arn', { ...keyed, function_name: 'arn:aws:lambda:eu-west-1:123456789012:function:echo' });
    add('/proxy', { ...keyed, function_name: 'proxy', is_proxy_integration: true });
    add('/bad-proxy', { ...keyed, function_name: 'bad-proxy', is_proxy_integration: true });
    add('/crash', { ...keyed, function_name: 'crash', unhandled_status: 412 });
    add('/crash-default', { ...keyed, function_name: 'crash' });
    add('/forward', { ...keyed, function_name: 'echo', forward_request_method: true, forward_request_uri: true, forward_request_headers: true, forward_request_body: true });
    add('/gateway', { ...keyed, function_name: 'echo', awsgateway_compatible: true });
    add('/wrong-secret', { ...keyed, aws_secret: 'not-the-secret', function_name: 'echo' });
    add('/missing', { ...keyed, function_name: 'nope' });
    add('/empty', { ...keyed, function_name: 'empty' });
    add('/assume', { ...keyed, function_name: 'echo', aws_assume_role_arn: 'arn:aws:iam::123456789012:role/invoker', aws_role_session_name: 'tollgate-test', aws_sts_endpoint_url: `http://127.0.0.1:${sts.port}/` });
    add('/proxied', { ...keyed, function_name: 'echo', proxy_url: `http://127.0.0.1:${proxy.port}` });
    add('/proxied-tls', { host: '127.0.0.1', port: lambdaTls.port, aws_key: STATIC.id, aws_secret: STATIC.secret, aws_region: 'eu-west-1', function_name: 'echo', proxy_url: `http://127.0.0.1:${proxy.port}` });
    add('/empty-correct', { ...keyed, function_name: 'empty', empty_arrays_mode: 'correct' });
    await kit.start();
  });
  afterAll(async () => {
    await kit?.close();
    await lambda?.close();
    await lambdaTls?.close();
    await sts?.close();
    await proxy?.close();
  });

  const lastCall = (l: FakeLambda = lambda) => l.calls[l.calls.length - 1];

  it('signs with the static keys and answers with the function\'s result (query and body arguments merged)', async () => {
    const r = await kit.send('POST', '/default/x?a=1&b=2', { body: { c: 3, b: 'body' } });
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ a: '1', b: 'body', c: 3 });
    expect(r.headers['x-amz-executed-version']).toBe('$LATEST');
    expect(r.headers['x-amz-log-result']).toBeDefined();
    expect(r.headers.via).toMatch(/^1\.1 tollgate\//);
    expect(lastCall()).toMatchObject({ accessKeyId: STATIC.id, region: 'eu-west-1', functionName: 'echo', qualifier: null, invocationType: 'RequestResponse', logType: 'Tail' });
    expect(lastCall().signedHeaders).toEqual(expect.arrayContaining(['host', 'x-amz-date', 'x-amz-invocation-type', 'x-amz-log-type']));
    expect(kit.upstream.requests).toBe(0);
  });

  it('without keys: the environment\'s credentials and session token, and AWS_REGION', async () => {
    const r = await kit.get('/env/x?who=env');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ who: 'env' });
    expect(lastCall()).toMatchObject({ accessKeyId: ENV.id, region: 'us-west-2' });
    expect(lastCall().signedHeaders).toContain('x-amz-security-token');
  });

  it('over HTTPS on the port override: qualifier and an Event invocation (202)', async () => {
    const r = await kit.get('/tls/x');
    expect(r.status).toBe(202);
    expect(r.text).toBe('');
    expect(lastCall(lambdaTls)).toMatchObject({ functionName: 'echo', qualifier: 'prod', invocationType: 'Event', logType: 'None' });
  });

  it('DryRun answers 204; a function ARN is invoked by its name', async () => {
    expect((await kit.get('/dry/x')).status).toBe(204);
    expect(lastCall().invocationType).toBe('DryRun');
    const r = await kit.get('/arn/x?k=v');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ k: 'v' });
    expect(lastCall().functionName).toBe('echo');
  });

  it('is_proxy_integration: the function\'s statusCode, headers, multiValueHeaders and base64 body', async () => {
    const r = await kit.get('/proxy/x');
    expect(r.status).toBe(201);
    expect(r.text).toBe('hello from lambda');
    expect(r.headers['x-fn']).toBe('yes');
    expect(r.headers['content-type']).toBe('text/plain');
    expect(r.headers['set-cookie']).toEqual(['a=1', 'b=2']);
    expect(r.headers['content-length']).toBe(String('hello from lambda'.length));
  });

  it('is_proxy_integration with a result that is not one: Kong\'s 502', async () => {
    const r = await kit.get('/bad-proxy/x');
    expect(r.status).toBe(502);
    expect(r.json).toEqual({ message: 'Bad Gateway', error: 'could not JSON decode Lambda function response: statusCode validation failed' });
  });

  it('an Unhandled function error takes unhandled_status; without it Lambda\'s 200', async () => {
    const r = await kit.get('/crash/x');
    expect(r.status).toBe(412);
    expect(r.headers['x-amz-function-error']).toBe('Unhandled');
    expect(r.json).toEqual({ errorMessage: 'boom', errorType: 'Error' });
    expect((await kit.get('/crash-default/x')).status).toBe(200);
  });

  it('forward_request_*: method, URI and its arguments, headers, body and its arguments', async () => {
    const r = await kit.send('POST', '/forward/x?q=1&q=2&flag', { body: 'a=1&b=2', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-trace': 't1' } });
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({
      request_method: 'POST',
      request_uri: '/forward/x?q=1&q=2&flag',
      request_uri_args: { q: ['1', '2'] },
      request_body: 'a=1&b=2',
      request_body_args: { a: '1', b: '2' },
    });
    expect(r.json.request_headers).toMatchObject({ 'content-type': 'application/x-www-form-urlencoded', 'x-trace': 't1' });
    expect(r.json.request_body_base64).toBeUndefined();
    // a body type Kong cannot parse travels base64-encoded
    const bin = await kit.send('POST', '/forward/y', { body: '\u0001\u0002binary', headers: { 'content-type': 'application/octet-stream' } });
    expect(bin.json).toMatchObject({ request_body: Buffer.from('\u0001\u0002binary').toString('base64'), request_body_base64: true, request_body_args: {} });
  });

  it('awsgateway_compatible: API Gateway\'s proxy event', async () => {
    const r = await kit.send('POST', '/gateway/items/7?x=1&x=2', { body: '{"n":1}', headers: { 'content-type': 'application/json', 'user-agent': 'tester' } });
    expect(r.status).toBe(200);
    const event = r.json;
    expect(event).toMatchObject({
      version: '1.0', resource: '/gateway', path: '/items/7', httpMethod: 'POST',
      queryStringParameters: { x: '1' }, multiValueQueryStringParameters: { x: ['1', '2'] },
      body: Buffer.from('{"n":1}').toString('base64'), isBase64Encoded: true, pathParameters: {},
    });
    expect(event.headers['user-agent']).toBe('tester');
    expect(event.multiValueHeaders['user-agent']).toEqual(['tester']);
    expect(event.requestContext).toMatchObject({ path: '/items/7', httpMethod: 'POST', protocol: 'HTTP/1.1', domainName: '127.0.0.1', resourcePath: '/items/7', identity: { userAgent: 'tester' } });
    expect(event.requestContext.requestTime).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
    expect(typeof event.requestContext.requestTimeEpoch).toBe('number');
  });

  it('a signature Lambda refuses, or a function it does not know: Kong\'s 500', async () => {
    const before = lambda.calls.length;
    for (const path of ['/wrong-secret/x', '/missing/x']) {
      const r = await kit.get(path);
      expect(r.status).toBe(500);
      expect(r.json.message).toBe('An unexpected error occurred');
    }
    // the bad signature never reached a function
    expect(lambda.calls.slice(before).map((c) => c.functionName)).toEqual(['nope']);
  });

  it('aws_assume_role_arn: the base keys get the role\'s temporary credentials from STS once, and those sign the call', async () => {
    for (const q of ['1', '2']) {
      const r = await kit.get(`/assume/x?n=${q}`);
      expect(r.status).toBe(200);
      expect(r.json).toEqual({ n: q });
      expect(lastCall()).toMatchObject({ accessKeyId: 'ASIAROLE1', region: 'eu-west-1' });
      expect(lastCall().signedHeaders).toContain('x-amz-security-token');
    }
    // cached until shortly before it expires (the test node runs one worker)
    expect(sts.calls).toHaveLength(1);
    expect(sts.calls[0]).toEqual({ accessKeyId: STATIC.id, region: 'eu-west-1', roleArn: 'arn:aws:iam::123456789012:role/invoker', sessionName: 'tollgate-test' });
  });

  it('proxy_url: an http endpoint through the proxy in absolute form, an https one through a CONNECT tunnel', async () => {
    const r = await kit.get('/proxied/x?via=proxy');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ via: 'proxy' });
    expect(proxy.seen).toContain(`POST http://127.0.0.1:${lambda.port}/2015-03-31/functions/echo/invocations`);
    const t = await kit.get('/proxied-tls/x?via=tunnel');
    expect(t.status).toBe(200);
    expect(t.json).toEqual({ via: 'tunnel' });
    expect(proxy.seen).toContain(`CONNECT 127.0.0.1:${lambdaTls.port}`);
    expect(lastCall(lambdaTls).payload).toEqual({ via: 'tunnel' });
  });

  it('empty_arrays_mode: legacy sends [] as {} (Kong re-encodes with cjson), correct keeps it', async () => {
    expect((await kit.get('/empty/x')).json).toEqual({ items: {}, n: 1 });
    expect((await kit.get('/empty-correct/x')).json).toEqual({ items: [], n: 1 });
  });

  it.each([
    ['a key without its secret', { aws_key: 'AKID' }, { '@entity': ["all or none of these fields must be set: 'config.aws_key', 'config.aws_secret'"] }],
    ['a proxy_url that is not http', { proxy_url: 'https://proxy.internal:3128' }, { '@entity': ['proxy_url scheme must be http'] }],
    ['an unknown invocation type', { invocation_type: 'Async' }, { config: { invocation_type: 'expected one of: RequestResponse, Event, DryRun' } }],
    ['an unhandled_status out of range', { unhandled_status: 1000 }, { config: { unhandled_status: 'value should be between 100 and 999' } }],
  ])('refuses %s', async (_name, config, fields) => {
    const r = await http('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name: 'aws-lambda', config } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual(fields);
  });

  it('GET /schemas/plugins/aws-lambda: Kong\'s defaults', async () => {
    const r = await http('GET', `${kit.admin}/schemas/plugins/aws-lambda`);
    const fields = Object.fromEntries(r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config.fields.map((f: Record<string, unknown>) => Object.entries(f)[0]));
    expect(fields.timeout).toMatchObject({ default: 60000, required: true });
    expect(fields.port).toMatchObject({ default: 443 });
    expect(fields.invocation_type).toMatchObject({ default: 'RequestResponse' });
    expect(fields.log_type).toMatchObject({ default: 'Tail' });
    expect(fields.base64_encode_body).toMatchObject({ default: true });
    expect(fields.skip_large_bodies).toMatchObject({ default: true });
    expect(fields.empty_arrays_mode).toMatchObject({ default: 'legacy' });
    expect(r.json.entity_checks ?? []).toBeDefined();
  });
});
