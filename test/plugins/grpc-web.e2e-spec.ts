// grpc-web through a real `tollgate start` node (DB-less, declarative file) in front of a real HTTP/2 gRPC
// server: HTTP/1.1 gRPC-Web calls in binary, base64 text and JSON encodings become gRPC calls; the replies come
// back decoded with the trailers in a 0x80 frame, as the gRPC-Web protocol and Kong's plugin do.
import { request } from 'node:http';
import { connect } from 'node:http2';
import { createServer, type AddressInfo } from 'node:net';
import { relative } from 'node:path';
import { createKit, type Kit } from './support/kit';
import { GREETER_PROTO, grpcFrame, grpcFrames, startGreeter, type Greeter } from './support/grpc-greeter';
import { http } from '../support/http';

interface RawReply { status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }

/** A port nothing listens on (bound, then released). */
function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const port = (s.address() as AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function post(url: string, body: Buffer | string, headers: Record<string, string>, method = 'POST'): Promise<RawReply> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers: { 'content-length': String(Buffer.byteLength(body)), ...headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('grpc-web on a running node', () => {
  let kit: Kit;
  let greeter: Greeter;
  const helloRequest = (fields: Record<string, unknown>) => {
    const t = greeter.root.lookupType('greeter.v1.HelloRequest');
    return Buffer.from(t.encode(t.fromObject(fields)).finish());
  };
  const helloReply = (bytes: Buffer) => {
    const t = greeter.root.lookupType('greeter.v1.HelloReply');
    return t.toObject(t.decode(bytes), { longs: String, enums: String });
  };

  beforeAll(async () => {
    greeter = await startGreeter();
    kit = await createKit();
    const b = kit.builder;
    const grpc = b.service(greeter.port, { protocol: 'grpc' });
    // a path relative to where the node was started, as Kong reads it
    const proto = relative(process.cwd(), GREETER_PROTO);
    b.plugin('grpc-web', { proto, allow_origin_header: 'https://app.example' }, { route: b.route(grpc, ['/greeter.v1.Greeter/'], { strip_path: false }) });
    b.plugin('grpc-web', { proto: GREETER_PROTO, pass_stripped_path: true }, { route: b.route(grpc, ['/stripped']) });
    b.plugin('grpc-web', {}, { route: b.route(grpc, ['/'], { hosts: ['noproto.example'] }) });
    b.plugin('grpc-web', { proto: 'test/plugins/fixtures/grpc/absent.proto' }, { route: b.route(grpc, ['/broken']) });
    const down = b.service(await closedPort(), { protocol: 'grpc' });
    b.plugin('grpc-web', {}, { route: b.route(down, ['/down']) });
    await kit.start();
  }, 120_000);

  afterAll(async () => {
    await kit?.close();
    await greeter?.close();
  });

  it('application/grpc-web+proto: the framed reply, then grpc-status in a trailers frame; the upstream got a gRPC call', async () => {
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, grpcFrame(0, helloRequest({ name: 'web', times: 3 })), {
      'content-type': 'application/grpc-web+proto', te: 'chunked',
    });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/grpc-web+proto');
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example');
    const frames = grpcFrames(r.body);
    expect(frames.map((f) => f.flag)).toEqual([0x00, 0x80]);
    expect(helloReply(frames[0].payload)).toMatchObject({ message: 'hello web', big: '3' });
    expect(frames[1].payload.toString()).toBe('grpc-status:0\r\ngrpc-message:\r\n');
    const seen = greeter.calls.at(-1)!;
    expect(seen.headers[':method']).toBe('POST');
    expect(seen.headers[':path']).toBe('/greeter.v1.Greeter/SayHello');
    expect(seen.headers['content-type']).toBe('application/grpc');
    expect(seen.headers.te).toBe('trailers');
    expect(seen.message).toMatchObject({ name: 'web', times: '3' });
  });

  it('application/grpc-web-text: base64 both ways, the trailers frame encoded on its own as Kong does', async () => {
    const body = grpcFrame(0, helloRequest({ name: 'text' })).toString('base64');
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, body, { 'content-type': 'application/grpc-web-text' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/grpc-web-text');
    const text = r.body.toString();
    const trailer = grpcFrame(0x80, Buffer.from('grpc-status:0\r\ngrpc-message:\r\n')).toString('base64');
    expect(text.endsWith(trailer)).toBe(true);
    const data = grpcFrames(Buffer.from(text.slice(0, text.length - trailer.length), 'base64'));
    expect(data).toHaveLength(1);
    expect(helloReply(data[0].payload)).toMatchObject({ message: 'hello text' });
  });

  it('application/grpc-web+json: JSON in a frame is transcoded with the proto; the reply is JSON in a frame (Kong\'s mapping)', async () => {
    const json = JSON.stringify({ name: 'json', times: '12', mood: 'HAPPY', tags: ['a'], at: '2024-05-06T07:08:09Z', unknown: 1 });
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, grpcFrame(0, Buffer.from(json)), { 'content-type': 'application/grpc-web+json' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/grpc-web+json');
    const frames = grpcFrames(r.body);
    expect(frames.map((f) => f.flag)).toEqual([0x00, 0x80]);
    expect(JSON.parse(frames[0].payload.toString())).toEqual({
      message: 'hello json', big: 12, mood: 'HAPPY', tags: ['a'], shouted: false, at: '2024-05-06T07:08:09',
    });
    expect(greeter.calls.at(-1)!.message).toMatchObject({ name: 'json', times: '12', mood: 'HAPPY', tags: ['a'], at: { seconds: '1714979289' } });
  });

  it('application/json on a stripped path: unframed JSON both ways, no trailers frame', async () => {
    const r = await post(`${kit.proxy}/stripped/greeter.v1.Greeter/SayHello`, JSON.stringify({ name: 'plain' }), { 'content-type': 'application/json' });
    expect(r.status).toBe(200);
    expect(r.headers['content-type']).toBe('application/json');
    expect(r.headers['access-control-allow-origin']).toBe('*');
    expect(JSON.parse(r.body.toString())).toEqual({ message: 'hello plain', big: 0, mood: 'CALM', tags: [], shouted: false });
    expect(greeter.calls.at(-1)!.headers[':path']).toBe('/greeter.v1.Greeter/SayHello');
  });

  it('the upstream\'s trailers (a reply then an error status) go into the trailers frame', async () => {
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, grpcFrame(0, helloRequest({ name: 'late' })), { 'content-type': 'application/grpc-web' });
    const frames = grpcFrames(r.body);
    expect(frames.map((f) => f.flag)).toEqual([0x00, 0x80]);
    expect(helloReply(frames[0].payload)).toMatchObject({ message: 'hello late' });
    expect(frames[1].payload.toString()).toBe('grpc-status:9\r\ngrpc-message:too late\r\n');
  });

  it('a trailers-only error reply: its status in the headers and in the trailers frame', async () => {
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, grpcFrame(0, helloRequest({ name: 'ghost' })), { 'content-type': 'application/grpc-web' });
    expect(r.status).toBe(200);
    expect(r.headers['grpc-status']).toBe('5');
    const frames = grpcFrames(r.body);
    expect(frames.map((f) => f.flag)).toEqual([0x80]);
    expect(frames[0].payload.toString()).toBe('grpc-status:5\r\ngrpc-message:no such greeter\r\n');
  });

  it('answers the CORS preflight itself with Kong\'s headers; the upstream is not called', async () => {
    const before = greeter.calls.length;
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, '', { origin: 'https://app.example', 'access-control-request-method': 'POST' }, 'OPTIONS');
    expect(r.status).toBe(200);
    expect(r.body.toString()).toBe('OK');
    expect(r.headers['content-type']).toBe('application/grpc-web-text+proto');
    expect(r.headers['access-control-allow-origin']).toBe('https://app.example');
    expect(r.headers['access-control-allow-methods']).toBe('POST');
    expect(r.headers['access-control-allow-headers']).toBe('content-type,x-grpc-web,x-user-agent');
    expect(greeter.calls.length).toBe(before);
  });

  it.each([
    ['/greeter.v1.Greeter/SayHello', 'noproto.example', 'transcoding requests require a .proto file defining the service'],
    ['/greeter.v1.Greeter/Nope', undefined, 'Unknown path "/greeter.v1.Greeter/Nope"'],
  ])('JSON it cannot transcode (%s) is refused with 400 and Kong\'s reason', async (path, host, reason) => {
    const before = greeter.calls.length;
    const r = await post(`${kit.proxy}${path}`, JSON.stringify({ name: 'x' }), { 'content-type': 'application/json', ...(host ? { host } : {}) });
    expect(r.status).toBe(400);
    expect(r.body.toString()).toBe(reason);
    expect(greeter.calls.length).toBe(before);
  });

  it.each([
    ['not JSON', '{"name":'],
    ['a number for a string field', '{"name":1}'],
    ['a null', '{"name":null}'],
  ])('a JSON body with %s fails the request with Kong\'s 500 body (a Lua error in Kong), not the process', async (_what, json) => {
    const r = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, json, { 'content-type': 'application/json' });
    expect(r.status).toBe(500);
    expect(JSON.parse(r.body.toString()).message).toBe('An unexpected error occurred');
    const ok = await post(`${kit.proxy}/greeter.v1.Greeter/SayHello`, '{"name":"after"}', { 'content-type': 'application/json' });
    expect(JSON.parse(ok.body.toString()).message).toBe('hello after');
  });

  it('a proto file that cannot be read fails its requests with 500; they never reach the upstream untranscoded', async () => {
    const before = greeter.calls.length;
    const r = await post(`${kit.proxy}/broken/greeter.v1.Greeter/SayHello`, '{"name":"x"}', { 'content-type': 'application/json' });
    expect(r.status).toBe(500);
    expect(greeter.calls.length).toBe(before);
  });

  it('an upstream that cannot be reached: Kong\'s gRPC-shaped 502 (the client sent a gRPC content type), untouched by the transcoder', async () => {
    const r = await post(`${kit.proxy}/down/greeter.v1.Greeter/SayHello`, grpcFrame(0, helloRequest({ name: 'x' })), { 'content-type': 'application/grpc-web' });
    expect(r.status).toBe(200);
    expect(r.headers['grpc-status']).toBe('13');
    expect(decodeURIComponent(String(r.headers['grpc-message']))).toBe('An invalid response was received from the upstream server');
    expect(r.body.length).toBe(0);
  });

  it('the schema has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${kit.admin}/schemas/plugins/grpc-web`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const field = (name: string) => config.fields.find((f: Record<string, unknown>) => name in f)[name];
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual(['proto', 'pass_stripped_path', 'allow_origin_header']);
    expect(field('proto')).toMatchObject({ type: 'string' });
    expect(field('proto').default).toBeUndefined();
    expect(field('pass_stripped_path')).toMatchObject({ type: 'boolean' });
    expect(field('pass_stripped_path').default).toBeUndefined();
    expect(field('allow_origin_header')).toMatchObject({ type: 'string', default: '*' });
    for (const name of ['proto', 'pass_stripped_path', 'allow_origin_header']) expect(field(name).required).not.toBe(true);
  });
});

describe('grpc-web for an HTTP/2 client (h2c)', () => {
  let kit: Kit;
  let greeter: Greeter;

  beforeAll(async () => {
    greeter = await startGreeter();
    kit = await createKit({ conf: { proxy_listen: '127.0.0.1:0 http2' } });
    const b = kit.builder;
    const grpc = b.service(greeter.port, { protocol: 'grpc' });
    // over HTTP/2 an application/grpc* content type makes the request a grpc one for the router (as in Kong):
    // such clients need a grpc route
    b.plugin('grpc-web', { proto: GREETER_PROTO }, { route: b.route(grpc, ['/greeter.v1.Greeter/'], { strip_path: false, protocols: ['grpc'] }) });
    await kit.start();
  }, 120_000);

  afterAll(async () => {
    await kit?.close();
    await greeter?.close();
  });

  it('the JSON call is transcoded and answered with the trailers frame in the body', async () => {
    const session = connect(kit.proxy);
    try {
      const { headers, body } = await new Promise<{ headers: Record<string, unknown>; body: Buffer }>((resolve, reject) => {
        const stream = session.request({ ':method': 'POST', ':path': '/greeter.v1.Greeter/SayHello', 'content-type': 'application/grpc-web+json' });
        const chunks: Buffer[] = [];
        let head: Record<string, unknown> = {};
        stream.on('response', (h) => (head = h));
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => resolve({ headers: head, body: Buffer.concat(chunks) }));
        stream.on('error', reject);
        stream.end(grpcFrame(0, Buffer.from('{"name":"h2"}')));
      });
      expect(headers[':status']).toBe(200);
      expect(headers['content-type']).toBe('application/grpc-web+json');
      const frames = grpcFrames(body);
      expect(frames.map((f) => f.flag)).toEqual([0x00, 0x80]);
      expect(JSON.parse(frames[0].payload.toString())).toMatchObject({ message: 'hello h2' });
      expect(frames[1].payload.toString()).toBe('grpc-status:0\r\ngrpc-message:\r\n');
      expect(greeter.calls.at(-1)!.message).toEqual({ name: 'h2' });
    } finally {
      session.close();
    }
  });
});
