// gRPC unary call through a grpc route/service: HTTP/2 both ways, framed message and trailers preserved.
import { createServer, type Http2Server, type IncomingHttpHeaders } from 'node:http2';
import type { AddressInfo } from 'node:net';
import { route, service, snapshot } from './support/config';
import { startTestDataPlane, type TestDataPlane } from './support/data-plane';
import { listenEntry } from './support/settings';
import { grpcCall, grpcFrame } from './support/protocols';
import { http } from '../support/http';

describe('gRPC', () => {
  let grpcServer: Http2Server;
  let t: TestDataPlane;
  const seen: IncomingHttpHeaders[] = [];

  beforeAll(async () => {
    grpcServer = createServer();
    grpcServer.on('stream', (stream, headers) => {
      seen.push(headers);
      stream.on('error', () => undefined); // a call the gateway cancels ends here, not in the test process
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const body = Buffer.concat(chunks);
        const name = body.subarray(5, 5 + body.readUInt32BE(1)).toString();
        if (headers[':path'] === '/helloworld.Greeter/Missing') {
          stream.respond({ ':status': 200, 'content-type': 'application/grpc', 'grpc-status': '12', 'grpc-message': 'unimplemented' }, { endStream: true });
          return;
        }
        stream.respond({ ':status': 200, 'content-type': 'application/grpc' }, { waitForTrailers: true });
        stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0', 'grpc-message': 'OK', 'x-trailer': 'kept' }));
        stream.end(grpcFrame(`hello ${name}`));
      });
    });
    await new Promise<void>((r) => grpcServer.listen(0, '127.0.0.1', r));
    const svc = service({ protocol: 'grpc', port: (grpcServer.address() as AddressInfo).port });
    t = await startTestDataPlane(
      snapshot({
        services: [svc],
        routes: [
          route(svc, { protocols: ['grpc', 'grpcs'], paths: ['/helloworld.Greeter/'], strip_path: false }),
          route(svc, { protocols: ['grpcs'], paths: ['/secure.Greeter/'], strip_path: false }),
        ],
      }),
      { proxy_listeners: [listenEntry({ http2: true })] },
    );
  });

  afterAll(async () => {
    await t.dp.close();
    await new Promise<void>((r) => grpcServer.close(() => r()));
  });

  const call = (path: string) => grpcCall(t.port, path, 'tollgate');

  it('POST /helloworld.Greeter/SayHello returns the framed reply and grpc-status trailers', async () => {
    const { headers, trailers, body } = await call('/helloworld.Greeter/SayHello');
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('application/grpc');
    expect(headers.via).toMatch(/^2 tollgate\//);
    expect(body.subarray(5).toString()).toBe('hello tollgate');
    expect(body.readUInt32BE(1)).toBe('hello tollgate'.length);
    expect(trailers['grpc-status']).toBe('0');
    expect(trailers['grpc-message']).toBe('OK');
    expect(trailers['x-trailer']).toBe('kept');
    const upstreamSaw = seen.at(-1)!;
    expect(upstreamSaw[':path']).toBe('/helloworld.Greeter/SayHello');
    expect(upstreamSaw.te).toBe('trailers');
    expect(upstreamSaw['x-forwarded-proto']).toBe('http');
  });

  it('a trailers-only error reply keeps grpc-status', async () => {
    const { headers } = await call('/helloworld.Greeter/Missing');
    expect(headers['grpc-status']).toBe('12');
    expect(headers['grpc-message']).toBe('unimplemented');
  });

  // Kong's router matches these (protocols are no routing condition); its runloop answers them, the upstream never sees them
  it('POST /helloworld.Greeter/SayHello over HTTP/2 without a gRPC content type: Kong\'s 415, not proxied', async () => {
    const before = seen.length;
    const { headers, body } = await grpcCall(t.port, '/helloworld.Greeter/SayHello', 'x', { 'content-type': 'application/json' });
    expect(headers[':status']).toBe(415);
    expect(headers['content-type']).toBe('application/json; charset=utf-8');
    expect(JSON.parse(body.toString())).toEqual({ message: 'Non-gRPC request matched gRPC route', request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const none = await grpcCall(t.port, '/helloworld.Greeter/SayHello', 'x', { 'content-type': '' });
    expect(none.headers[':status']).toBe(415);
    expect(seen.length).toBe(before);
  });

  it('POST /helloworld.Greeter/SayHello over HTTP/1.1 with a gRPC content type: Kong\'s 426 "Please use HTTP2 protocol"', async () => {
    const before = seen.length;
    const r = await http('POST', `http://127.0.0.1:${t.port}/helloworld.Greeter/SayHello`, { body: 'x', headers: { 'content-type': 'application/grpc' } });
    expect(r.status).toBe(426);
    expect(r.headers.upgrade).toBe('HTTP/2');
    expect(r.headers.connection).toBe('Upgrade');
    expect(r.json).toEqual({ message: 'Please use HTTP2 protocol', request_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    expect(seen.length).toBe(before);
  });

  it('a gRPC call over plain text to a grpcs-only route: grpc-status 1 "gRPC request matched gRPCs route", not proxied', async () => {
    const before = seen.length;
    const { headers, body } = await call('/secure.Greeter/SayHello');
    expect(headers[':status']).toBe(200);
    expect(headers['content-type']).toBe('application/grpc');
    expect(headers['grpc-status']).toBe('1');
    expect(headers['grpc-message']).toBe('gRPC request matched gRPCs route');
    expect(body.length).toBe(0);
    expect(seen.length).toBe(before);
  });

  it('no route: grpc-status 5 with an empty body', async () => {
    const { headers, body } = await call('/other.Service/Call');
    expect(headers[':status']).toBe(200);
    expect(headers['grpc-status']).toBe('5');
    expect(body.length).toBe(0);
  });
});
