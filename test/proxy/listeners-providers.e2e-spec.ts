// Listener options (PROXY protocol, port in use), config providers, routing end to end, the runtime swap.
import { EventEmitter } from 'node:events';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startDataPlane } from '../../apps/proxy/src/main';
import { diffSnapshots } from '@tollgate/declarative';
import type { FromWorker, ToWorker } from '@tollgate/protocol';
import { IpcConfigProvider, StaticConfigProvider } from '../../apps/proxy/src/provider';
import { Runtime } from '../../apps/proxy/src/runtime';
import { route, service, snapshot } from './support/config';
import { json, rawExchange, send } from './support/client';
import { quietLogger, startTestDataPlane } from './support/data-plane';
import { listenEntry, testSettings } from './support/settings';
import { startUpstream, type Echo, type TestUpstream } from './support/upstreams';

describe('listeners, providers and routing', () => {
  let upstream: TestUpstream;
  beforeAll(async () => {
    upstream = await startUpstream();
  });
  afterAll(() => upstream.close());

  it.each([
    ['v1 TCP4', Buffer.from('PROXY TCP4 203.0.113.7 10.0.0.1 56324 8000\r\n'), '203.0.113.7'],
    ['v1 TCP6', Buffer.from('PROXY TCP6 2001:db8::7 2001:db8::1 56324 8000\r\n'), '2001:db8::7'],
    ['v1 UNKNOWN', Buffer.from('PROXY UNKNOWN\r\n'), '127.0.0.1'],
    [
      'v2 IPv4',
      Buffer.concat([
        Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x0c]),
        Buffer.from([198, 51, 100, 9, 10, 0, 0, 1, 0xdc, 0x04, 0x1f, 0x40]),
      ]),
      '198.51.100.9',
    ],
  ])('proxy_protocol %s from a peer in trusted_ips: the carried source is the client address', async (_name, header, expected) => {
    const svc = service({ port: upstream.port });
    const t = await startTestDataPlane(snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] }), {
      proxy_listeners: [listenEntry({ proxyProtocol: true })],
      trusted_ips: ['127.0.0.1'],
    });
    try {
      const response = await rawExchange(t.port, Buffer.concat([header, Buffer.from('GET /pp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      const echo = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Echo;
      expect(echo.headers['x-real-ip']).toBe(expected);
      expect(echo.headers['x-forwarded-for']).toBe(expected);
      // Without a PROXY header the connection is dropped.
      expect(await rawExchange(t.port, 'GET / HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('');
    } finally {
      await t.dp.close();
    }
  });

  it('proxy_protocol from a peer outside trusted_ips: the header is read, the TCP peer stays the client', async () => {
    const svc = service({ port: upstream.port });
    const t = await startTestDataPlane(snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] }), {
      proxy_listeners: [listenEntry({ proxyProtocol: true })],
      trusted_ips: ['192.0.2.0/24'],
    });
    try {
      const response = await rawExchange(t.port, 'PROXY TCP4 203.0.113.7 10.0.0.1 56324 8000\r\nGET /pp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(response).toMatch(/^HTTP\/1\.1 200 /);
      const echo = JSON.parse(response.slice(response.indexOf('\r\n\r\n') + 4)) as Echo;
      expect(echo.headers['x-real-ip']).toBe('127.0.0.1');
      expect(echo.headers['x-forwarded-for']).toBe('127.0.0.1');
    } finally {
      await t.dp.close();
    }
  });

  it.each([
    ['markup as the source', 'PROXY TCP4 <script> 5.6.7.8 1 2\r\n'],
    ['a hostname as the source', 'PROXY TCP4 example.com 5.6.7.8 1 2\r\n'],
    ['a port out of range', 'PROXY TCP4 1.2.3.4 5.6.7.8 65536 2\r\n'],
    ['an IPv6 source on TCP4', 'PROXY TCP4 ::1 5.6.7.8 1 2\r\n'],
    ['a v1 line over 107 bytes', `PROXY UNKNOWN ${'x'.repeat(100)}\r\n`],
    ['a v2 header with a short address block', Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a, 0x21, 0x11, 0x00, 0x04, 1, 2, 3, 4])],
  ])('proxy_protocol rejects %s: the connection closes with no response, the listener keeps serving', async (_name, header) => {
    const svc = service({ port: upstream.port });
    const t = await startTestDataPlane(snapshot({ services: [svc], routes: [route(svc, { paths: ['/'] })] }), {
      proxy_listeners: [listenEntry({ proxyProtocol: true })],
      trusted_ips: ['127.0.0.1'],
    });
    try {
      const request = Buffer.from('GET /pp HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      expect(await rawExchange(t.port, Buffer.concat([Buffer.from(header), request]))).toBe('');
      const good = await rawExchange(t.port, Buffer.concat([Buffer.from('PROXY TCP4 192.0.2.1 5.6.7.8 1 2\r\n'), request]));
      expect(good).toMatch(/^HTTP\/1\.1 200 /);
    } finally {
      await t.dp.close();
    }
  });

  it('a port in use fails naming proxy_listen and the address', async () => {
    const first = await startTestDataPlane(snapshot({}));
    try {
      const entry = listenEntry({ port: first.port, listener: `127.0.0.1:${first.port}` });
      await expect(
        startDataPlane(testSettings({ proxy_listeners: [entry] }), { provider: new StaticConfigProvider(snapshot({})), logger: quietLogger }),
      ).rejects.toThrow(`proxy_listen: cannot listen on 127.0.0.1:${first.port}: address already in use`);
    } finally {
      await first.dp.close();
    }
  });

  it('an empty data plane answers 404 to everything', async () => {
    const t = await startTestDataPlane(snapshot({}));
    try {
      const reply = await send(t.port, { path: '/anything' });
      expect(reply.status).toBe(404);
      expect(json(reply).message).toBe('no Route matched with those values');
    } finally {
      await t.dp.close();
    }
  });

  it('StaticConfigProvider.fromFile loads a declarative JSON file', async () => {
    const svc = service({ port: upstream.port });
    const file = join(tmpdir(), `tollgate-dp-${process.pid}.json`);
    writeFileSync(file, JSON.stringify({ _format_version: '3.0', services: [svc], routes: [route(svc, { paths: ['/file'] })] }));
    const dp = await startDataPlane(testSettings(), { provider: StaticConfigProvider.fromFile(file), logger: quietLogger });
    try {
      expect((await send(dp.listeners[0].port, { path: '/file' })).status).toBe(200);
    } finally {
      await dp.close();
    }
  });

  it('IpcConfigProvider (the workers\' provider): a snapshot, then deltas on the version held, a resync otherwise', async () => {
    const channel = Object.assign(new EventEmitter(), { sent: [] as FromWorker[], send(m: FromWorker) { this.sent.push(m); return true; } });
    const svc = service({ port: upstream.port });
    const v1 = snapshot({ services: [svc], routes: [route(svc, { paths: ['/ipc-one'] })] }, 1);
    const r2 = route(svc, { paths: ['/ipc-two'] });
    const v2 = snapshot({ services: [svc], routes: [...v1.config.routes!, r2] }, 2);
    const provider = new IpcConfigProvider(channel);
    // a snapshot sent while the data plane is still starting is kept for it
    channel.emit('message', { type: 'snapshot', snapshot: v1 } satisfies ToWorker);
    const dp = await startDataPlane(testSettings(), { provider, logger: quietLogger });
    try {
      expect(channel.sent).toEqual([{ type: 'applied', hash: v1.hash }]);
      expect((await send(dp.listeners[0].port, { path: '/ipc-one' })).status).toBe(200);
      expect((await send(dp.listeners[0].port, { path: '/ipc-two' })).status).toBe(404);
      channel.emit('message', { type: 'other' });
      const delta: ToWorker = { type: 'delta', hash: v2.hash, version: 2, base_hash: v1.hash, delta: diffSnapshots(v1.config, v2.config) };
      channel.emit('message', delta);
      expect(channel.sent.at(-1)).toEqual({ type: 'applied', hash: v2.hash });
      expect((await send(dp.listeners[0].port, { path: '/ipc-two' })).status).toBe(200);
      // a delta for a version this worker does not hold is not applied: it asks for the full snapshot
      channel.emit('message', { ...delta, hash: 'h3', base_hash: 'not-held' } satisfies ToWorker);
      expect(channel.sent.at(-1)).toEqual({ type: 'resync', hash: v2.hash });
      expect(channel.sent).toHaveLength(3);
    } finally {
      await dp.close();
    }
    expect(channel.listenerCount('message')).toBe(0);
  });

  it('routes by host, method, header and regex path end to end', async () => {
    const svc = service({ port: upstream.port, path: '/svc' });
    const t = await startTestDataPlane(
      snapshot({
        services: [svc],
        routes: [
          route(svc, { hosts: ['api.example.com'], paths: ['/'], name: 'by-host' }),
          route(svc, { methods: ['DELETE'], paths: ['/items'], name: 'by-method' }),
          route(svc, { headers: { 'x-version': ['v2'] }, paths: ['/items'], name: 'by-header' }),
          route(svc, { paths: ['~/users/(?<id>\\d+)$'], name: 'by-regex' }),
          route(svc, { hosts: ['*.wild.com'], name: 'by-wildcard' }),
        ],
      }),
    );
    try {
      const cases: Array<[Record<string, string>, string, string, number, string | null]> = [
        [{ host: 'api.example.com' }, 'GET', '/x', 200, '/svc/x'],
        [{ host: 'other.com' }, 'DELETE', '/items/1', 200, '/svc/1'],
        [{ host: 'other.com', 'x-version': 'V2' }, 'GET', '/items/2', 200, '/svc/2'],
        [{ host: 'other.com' }, 'GET', '/items/3', 404, null],
        [{ host: 'other.com' }, 'GET', '/users/42', 200, '/svc'],
        [{ host: 'other.com' }, 'GET', '/users/x42', 404, null],
        [{ host: 'a.b.wild.com:8000' }, 'GET', '/deep/path', 200, '/svc/deep/path'],
        [{ host: 'other.com' }, 'GET', '/a/../users/7', 200, '/svc'],
      ];
      for (const [headers, method, path, status, url] of cases) {
        const reply = await send(t.port, { method, path, headers });
        expect([method, path, reply.status]).toEqual([method, path, status]);
        if (url !== null) expect((JSON.parse(reply.body) as Echo).url).toBe(url);
      }
    } finally {
      await t.dp.close();
    }
  });
});

describe('Runtime.apply', () => {
  it('skips an unchanged hash, keeps the old config when a snapshot fails to compile', () => {
    const runtime = new Runtime();
    const svc = service();
    const first = snapshot({ services: [svc], routes: [route(svc, { paths: ['/a'] })] });
    expect(runtime.apply(first)).toMatchObject({ applied: true, hash: first.hash });
    const compiled = runtime.current;
    expect(Object.isFrozen(compiled)).toBe(true);
    expect(runtime.apply(first)).toEqual({ applied: false, hash: first.hash, compileMs: 0 });
    expect(runtime.current).toBe(compiled);
    const certId = 'c0000000-0000-4000-8000-0000000000ff';
    const broken = snapshot({
      certificates: [{ id: certId, cert: 'not a pem', key: 'not a pem' }],
      snis: [{ id: 'd0000000-0000-4000-8000-0000000000ff', name: 'x.test', certificate: { id: certId } }],
    });
    expect(() => runtime.apply(broken)).toThrow();
    expect(runtime.current).toBe(compiled);
  });
});
