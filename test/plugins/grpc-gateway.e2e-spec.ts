// grpc-gateway through a real `tollgate start` node (DB-less, declarative file) in front of a real HTTP/2 gRPC
// server: REST requests are transcoded by the google.api.http annotations of the proto file (path variables,
// query arguments, JSON bodies), the replies come back as JSON with Kong's mapping, grpc-status as HTTP status.
// The last suite configures both gRPC plugins over the Admin API of a node with a database.
import { createKit, type Kit } from './support/kit';
import { GREETER_PROTO, startGreeter, type Greeter } from './support/grpc-greeter';
import { http } from '../support/http';
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { waitFor } from '../support/wait';

describe('grpc-gateway on a running node', () => {
  let kit: Kit;
  let greeter: Greeter;
  const lastCall = () => greeter.calls.at(-1)!;

  beforeAll(async () => {
    greeter = await startGreeter();
    kit = await createKit();
    const b = kit.builder;
    const grpc = b.service(greeter.port, { protocol: 'grpc' });
    b.plugin('grpc-gateway', { proto: GREETER_PROTO }, { route: b.route(grpc, ['/v1'], { strip_path: false }) });
    b.plugin('grpc-gateway', {}, { route: b.route(grpc, ['/noproto']) });
    await kit.start();
  }, 120_000);

  afterAll(async () => {
    await kit?.close();
    await greeter?.close();
  });

  it('GET with a path variable calls the method as gRPC; the reply is JSON with proto3 defaults', async () => {
    const r = await kit.get('/v1/greet/alice?shout=true');
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.json).toEqual({ message: 'hello alice', big: 0, mood: 'CALM', tags: [], shouted: false });
    const call = lastCall();
    expect(call.headers[':method']).toBe('POST');
    expect(call.headers[':path']).toBe('/greeter.v1.Greeter/SayHello');
    expect(call.headers['content-type']).toBe('application/grpc');
    expect(call.headers.te).toBe('trailers');
    // the binding has body "*": query arguments are not mapped
    expect(call.message).toEqual({ name: 'alice' });
  });

  it('an additional binding without a body maps query arguments, nested ones and booleans as Kong', async () => {
    const r = await kit.get('/v1/legacy/a/b?shout=1&times=5&limb.count=4&limb.ending=toes&nope=1&limb.nope=2');
    expect(r.status).toBe(200);
    expect(r.json).toEqual({ message: 'HELLO A/B', big: 5, mood: 'CALM', tags: [], shouted: true, limb: { count: 4, ending: 'toes' } });
    expect(lastCall().message).toEqual({ name: 'a/b', shout: true, times: '5', limb: { count: 4, ending: 'toes' } });
    const off = await kit.get('/v1/legacy/x?shout=false');
    expect(off.json.shouted).toBe(false);
    expect((await kit.get('/v1/legacy/x?shout=0')).json.shouted).toBe(false);
  });

  it('GET with an int64 path variable and query arguments', async () => {
    const r = await kit.get('/v1/lookup/42?verbose=yes');
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ message: 'item 42 (verbose)', big: 42 });
    expect(lastCall().headers[':path']).toBe('/greeter.v1.Greeter/Lookup');
    expect(lastCall().message).toEqual({ id: '42', verbose: true });
  });

  it('POST with body "*": JSON fields fill the message; int64 beyond 2^53 as a string, enums by name, timestamps', async () => {
    const r = await kit.send('POST', '/v1/greetings', {
      body: { name: 'bob', times: '9007199254740993', mood: 'HAPPY', tags: ['a', 'b'], at: '2024-05-06T07:08:09Z', extra: true },
    });
    expect(r.status).toBe(200);
    expect(r.text).toContain('"big":"9007199254740993"');
    expect(r.json).toEqual({ message: 'hello bob', big: '9007199254740993', mood: 'HAPPY', tags: ['a', 'b'], shouted: false, at: '2024-05-06T07:08:09' });
    expect(lastCall().message).toMatchObject({ name: 'bob', times: '9007199254740993', mood: 'HAPPY', tags: ['a', 'b'], at: { seconds: '1714979289' } });
  });

  it('PUT with body "limb": the JSON body fills that one field, the path the rest', async () => {
    const r = await kit.send('PUT', '/v1/names/carol', { body: { count: 2, ending: 'claws' } });
    expect(r.status).toBe(200);
    expect(lastCall().headers[':path']).toBe('/greeter.v1.Greeter/Rename');
    expect(lastCall().message).toEqual({ name: 'carol', limb: { count: 2, ending: 'claws' } });
    expect(r.json).toMatchObject({ message: 'hello carol', limb: { count: 2, ending: 'claws' } });
  });

  it.each([
    ['/v1/greet/ghost', 404, '5'],
    ['/v1/missing/x', 500, '12'],
  ])('%s: a grpc-status reply becomes its HTTP status (Kong\'s code.proto mapping)', async (path, status, grpcStatus) => {
    const r = await kit.get(path);
    expect(r.status).toBe(status);
    expect(r.headers['grpc-status']).toBe(grpcStatus);
    expect(r.headers['content-type']).toBe('application/json');
  });

  it.each([
    ['GET', '/v1/nothing', undefined, 'failed to transcode .proto file Unknown path "/v1/nothing"'],
    ['DELETE', '/v1/greet/x', undefined, 'failed to transcode .proto file Unknown method "delete"'],
    ['POST', '/v1/greetings', '{"name":1}', 'failed to encode payload'],
    ['POST', '/v1/greetings', '{"name":null}', 'failed to encode payload'],
    ['POST', '/v1/greetings', '{"tags":"a"}', 'failed to encode payload'],
    ['POST', '/v1/greetings', '"text"', 'body must be a table'],
    ['GET', '/noproto/anything', undefined, 'transcoding requests require a .proto file defining the service'],
  ])('%s %s %s: 400 with Kong\'s reason; the upstream is not called', async (method, path, body, reason) => {
    const before = greeter.calls.length;
    const r = await kit.send(method, path, body === undefined ? {} : { body, headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.text).toBe(reason);
    expect(greeter.calls.length).toBe(before);
  });

  it('a body that is not JSON: 400 "decode json err: ..."', async () => {
    const r = await kit.send('POST', '/v1/greetings', { body: '{"name":"x', headers: { 'content-type': 'application/json' } });
    expect(r.status).toBe(400);
    expect(r.text).toMatch(/^decode json err: ./);
  });

  it('answers the CORS preflight with Kong\'s headers; the upstream is not called', async () => {
    const before = greeter.calls.length;
    const r = await kit.send('OPTIONS', '/v1/greet/x', { headers: { origin: 'https://app.example', 'access-control-request-method': 'GET' } });
    expect(r.status).toBe(200);
    expect(r.text).toBe('OK');
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(r.headers['access-control-allow-methods']).toBe('GET,POST,PATCH,DELETE');
    expect(r.headers['access-control-allow-headers']).toBe('content-type');
    expect(greeter.calls.length).toBe(before);
  });

  it('the schema has Kong\'s one optional field', async () => {
    const r = await http('GET', `${kit.admin}/schemas/plugins/grpc-gateway`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.fields).toHaveLength(1);
    expect(config.fields[0].proto).toMatchObject({ type: 'string' });
    expect(config.fields[0].proto.required).not.toBe(true);
    expect(config.fields[0].proto.default).toBeUndefined();
  });
});

describe('grpc-gateway and grpc-web configured over the Admin API', () => {
  let node: RunningNode;
  let greeter: Greeter;
  let admin: string;
  let proxy: string;

  beforeAll(async () => {
    greeter = await startGreeter();
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
    proxy = `http://127.0.0.1:${node.port('proxy_listen')}`;
    const created = async (path: string, body: unknown) => {
      const r = await http('POST', `${admin}${path}`, { body });
      if (r.status !== 201) throw new Error(`${path}: ${r.status} ${r.text}`);
    };
    await created('/services', { name: 'greeter', protocol: 'grpc', host: '127.0.0.1', port: greeter.port });
    await created('/services/greeter/routes', { name: 'rest', protocols: ['http'], paths: ['/v1'], strip_path: false });
    await created('/services/greeter/routes', { name: 'web', protocols: ['http'], paths: ['/greeter.v1.Greeter/'], strip_path: false });
    await created('/routes/rest/plugins', { name: 'grpc-gateway', config: { proto: GREETER_PROTO } });
    await created('/routes/web/plugins', { name: 'grpc-web', config: { proto: GREETER_PROTO } });
    await waitFor(async () => ((await http('GET', `${proxy}/v1/greet/admin`)).status === 200 ? true : undefined), 'the plugins to be served', 30_000);
  }, 120_000);

  afterAll(async () => {
    if (node) await stopNode(node);
    await greeter?.close();
  });

  it('the REST call and the gRPC-Web JSON call both reach the gRPC method', async () => {
    const rest = await http('GET', `${proxy}/v1/greet/admin`);
    expect(rest.json).toEqual({ message: 'hello admin', big: 0, mood: 'CALM', tags: [], shouted: false });
    const web = await http('POST', `${proxy}/greeter.v1.Greeter/SayHello`, { body: '{"name":"web"}', headers: { 'content-type': 'application/json' } });
    expect(web.status).toBe(200);
    expect(web.json).toMatchObject({ message: 'hello web' });
    expect(greeter.calls.at(-1)!.headers[':path']).toBe('/greeter.v1.Greeter/SayHello');
  });

  it('refuses a config value of the wrong type naming the field', async () => {
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'grpc-web', config: { pass_stripped_path: 'yes', allow_origin_header: 1 } } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config).toEqual({ pass_stripped_path: 'expected a boolean', allow_origin_header: 'expected a string' });
  });
});
