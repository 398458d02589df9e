// statsd through a real DB-less node: Kong's metric names, types and scopes over UDP, tagged lines in each
// tag_style, TCP, udp_packet_size packing, allow_status_codes, hostname_in_prefix; received by sockets this test
// opens and decoded from the StatsD wire format. Kong's schema and validation errors over the Admin API.
import { hostname } from 'node:os';
import type { Row } from '@tollgate/declarative/snapshot';
import { http } from '../support/http';
import { createKit, eventually, type Kit } from './support/kit';
import { decodeStatsd, startTcpReceiver, startUdpReceiver, type StatsdMetric, type TcpReceiver, type UdpReceiver } from './support/statsd-receiver';

const NODE = hostname().replace(/\./g, '_');

describe('statsd (proxy)', () => {
  let kit: Kit;
  let udp: UdpReceiver;
  let tcp: TcpReceiver;
  let batched: TcpReceiver;
  const styled: Record<string, UdpReceiver> = {};
  let packed: UdpReceiver;
  let named: UdpReceiver;
  let scoped: Row;

  beforeAll(async () => {
    [udp, tcp, packed, named, batched] = await Promise.all([startUdpReceiver(), startTcpReceiver(), startUdpReceiver(), startUdpReceiver(), startTcpReceiver()]);
    for (const style of ['influxdb', 'librato', 'signalfx']) styled[style] = await startUdpReceiver();
    kit = await createKit();
    const b = kit.builder;
    const orders = b.service(kit.upstream.port, { name: 'orders.v1' });
    scoped = b.route(orders, ['/udp'], { name: 'udp' });
    const alice = b.consumer('alice', { custom_id: 'cust-1' });
    b.keyAuth(alice, 'alice-key');
    b.plugin('key-auth', {}, { route: scoped });
    b.plugin('statsd', { host: '127.0.0.1', port: udp.port }, { route: scoped });

    // TCP with dogstatsd tags, on a service: one queue for both its routes; 403s are not allowed to be logged
    const tagged = b.service(kit.upstream.port, { name: 'tagged.svc' });
    b.route(tagged, ['/tcp'], { name: 'tcp-ok' });
    const denied = b.route(tagged, ['/tcp-denied'], { name: 'tcp-denied' });
    b.plugin('request-termination', { status_code: 403 }, { route: denied });
    b.plugin('statsd', {
      host: '127.0.0.1', port: tcp.port, use_tcp: true, tag_style: 'dogstatsd', prefix: 'gw', allow_status_codes: ['200-299'],
      metrics: [{ name: 'request_count', stat_type: 'counter', sample_rate: 0.5 }, { name: 'latency', stat_type: 'timer' }, { name: 'status_count', stat_type: 'counter', sample_rate: 1 }],
    }, { service: tagged });

    for (const style of ['influxdb', 'librato', 'signalfx']) {
      const r = b.route(orders, [`/${style}`], { name: style });
      b.plugin('statsd', { host: '127.0.0.1', port: styled[style].port, tag_style: style, metrics: [{ name: 'request_count', stat_type: 'counter', sample_rate: 1 }] }, { route: r });
    }
    const packRoute = b.route(orders, ['/packed'], { name: 'packed' });
    b.plugin('statsd', { host: '127.0.0.1', port: packed.port, udp_packet_size: 200 }, { route: packRoute });
    const namedRoute = b.route(orders, ['/named'], { name: 'named' });
    b.plugin('statsd', {
      host: '127.0.0.1', port: named.port, hostname_in_prefix: true, service_identifier_default: 'service_id',
      metrics: [{ name: 'request_count', stat_type: 'counter', sample_rate: 1 }, { name: 'response_size', stat_type: 'gauge', sample_rate: 1, service_identifier: 'service_host' }],
    }, { route: namedRoute });
    // Kong's deprecated queue_size / flush_timeout still set the batch (queue.max_batch_size / max_coalescing_delay)
    const batchRoute = b.route(orders, ['/batched'], { name: 'batched' });
    b.plugin('statsd', {
      host: '127.0.0.1', port: batched.port, use_tcp: true, queue_size: 2, flush_timeout: 60,
      metrics: [{ name: 'request_count', stat_type: 'counter', sample_rate: 1 }],
    }, { route: batchRoute });
    await kit.start();
  });
  afterAll(async () => {
    await kit?.close();
    for (const r of [udp, packed, named, ...Object.values(styled)]) r?.close();
    await tcp?.close();
    await batched?.close();
  });

  const twelveLines = () => (udp.lines().length >= 12 ? udp.lines() : undefined);

  it('sends Kong\'s default metrics under service.<name>, one datagram per line', async () => {
    expect((await kit.get('/udp/x', { apikey: 'alice-key' })).status).toBe(200);
    const lines = await eventually(twelveLines);
    expect(udp.datagrams.length).toBe(12);
    const s = 'kong.service.orders_v1';
    const metrics = lines.map(decodeStatsd);
    expect(metrics.map((m) => `${m.name}|${m.type}`)).toEqual([
      `${s}.request.count|c`, `${s}.latency|ms`, `${s}.request.size|c`, `${s}.status.200|c`, `${s}.response.size|c`,
      `${s}.user.uniques|s`, `${s}.user.cust-1.request.count|c`, `${s}.upstream_latency|ms`, `${s}.kong_latency|ms`,
      `${s}.user.cust-1.status.200|c`, `${s}.workspace.default.status.200|c`, `kong.route.${scoped.id}.user.cust-1.status.200|c`,
    ]);
    const byName = new Map(metrics.map((m) => [m.name, m]));
    expect(byName.get(`${s}.request.count`)!.value).toBe('1');
    expect(byName.get(`${s}.user.uniques`)!.value).toBe('cust-1');
    // the request line and headers count, as nginx's $request_length (a GET has no body)
    expect(Number(byName.get(`${s}.request.size`)!.value)).toBeGreaterThan(40);
    expect(Number(byName.get(`${s}.response.size`)!.value)).toBeGreaterThan(0);
    for (const timer of ['latency', 'upstream_latency', 'kong_latency']) expect(byName.get(`${s}.${timer}`)!.value).toMatch(/^\d+$/);
    // sample rate 1 is not written
    expect(lines.some((l) => l.includes('|@'))).toBe(false);
  });

  it('a request Kong answered itself has no upstream_latency and no per-user lines', async () => {
    const before = udp.lines().length;
    expect((await kit.get('/udp/x')).status).toBe(401);
    const lines = await eventually(() => (udp.lines().length >= before + 7 ? udp.lines().slice(before) : undefined));
    expect(lines.map((l) => decodeStatsd(l).name)).toEqual([
      'kong.service.orders_v1.request.count', 'kong.service.orders_v1.latency', 'kong.service.orders_v1.request.size',
      'kong.service.orders_v1.status.401', 'kong.service.orders_v1.response.size', 'kong.service.orders_v1.kong_latency',
      'kong.service.orders_v1.workspace.default.status.401',
    ]);
  });

  it('TCP with dogstatsd tags: newline-terminated lines, sample rate written, allow_status_codes filters', async () => {
    expect((await kit.get('/tcp-denied/x')).status).toBe(403);
    expect((await kit.get('/tcp/x')).status).toBe(200);
    const lines = await eventually(() => (tcp.lines().length >= 2 ? tcp.lines() : undefined));
    // the 403 was never queued: the first lines on the connection are the 200's (status_count is skipped with tags)
    const [count, latency] = lines.map(decodeStatsd);
    const tags = { service: 'tagged.svc', route: 'tcp-ok', workspace: 'default', node: hostname().replace(/\./g, '_'), status: '200' };
    expect(count).toEqual<StatsdMetric>({ name: 'gw.request.count', value: '1', type: 'c', rate: 0.5, tags, style: 'dogstatsd' });
    expect(latency).toMatchObject({ name: 'gw.latency', type: 'ms', rate: null, tags, style: 'dogstatsd' });
    await new Promise((r) => setTimeout(r, 300));
    expect(tcp.lines()).toHaveLength(2);
  });

  it.each(['influxdb', 'librato', 'signalfx'])('tag_style %s places the tags as that server reads them', async (style) => {
    expect((await kit.get(`/${style}/x`)).status).toBe(200);
    const [line] = await eventually(() => (styled[style].lines().length ? styled[style].lines() : undefined));
    expect(decodeStatsd(line)).toEqual({
      name: 'kong.request.count', value: '1', type: 'c', rate: null, style,
      tags: { service: 'orders.v1', route: style, workspace: 'default', node: NODE, status: '200' },
    });
  });

  it('udp_packet_size packs lines into datagrams of at most that size', async () => {
    expect((await kit.get('/packed/x')).status).toBe(200);
    // the default metrics without a consumer: 8 lines
    const lines = await eventually(() => (packed.lines().length >= 8 ? packed.lines() : undefined));
    expect(lines.map((l) => decodeStatsd(l).name)).toContain('kong.service.orders_v1.upstream_latency');
    expect(packed.datagrams.length).toBeGreaterThan(1);
    expect(packed.datagrams.length).toBeLessThan(8);
    for (const d of packed.datagrams) expect(Buffer.byteLength(d)).toBeLessThanOrEqual(200);
  });

  it('hostname_in_prefix and the service identifiers', async () => {
    expect((await kit.get('/named/x')).status).toBe(200);
    const lines = await eventually(() => (named.lines().length >= 2 ? named.lines() : undefined));
    const service = kit.builder.services.find((s) => s.name === 'orders.v1')!;
    expect(lines.map(decodeStatsd).map((m) => `${m.name}|${m.type}`)).toEqual([
      `kong.node.${NODE}.service.${service.id}.request.count|c`,
      `kong.node.${NODE}.service.127_0_0_1.response.size|g`,
    ]);
  });

  it('a batch of queue_size requests is sent together, on one TCP connection', async () => {
    expect((await kit.get('/batched/1')).status).toBe(200);
    await new Promise((r) => setTimeout(r, 500));
    expect(batched.lines()).toEqual([]); // waiting for the second entry (flush_timeout 60 s)
    expect((await kit.get('/batched/2')).status).toBe(200);
    const lines = await eventually(() => (batched.lines().length >= 2 ? batched.lines() : undefined));
    expect(lines).toEqual(['kong.service.orders_v1.request.count:1|c', 'kong.service.orders_v1.request.count:1|c']);
    expect(batched.connections).toBe(1);
  });

  it('GET /schemas/plugins/statsd has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${kit.admin}/schemas/plugins/statsd`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const fields = Object.fromEntries(config.fields.map((f: Record<string, unknown>) => Object.entries(f)[0]));
    expect(Object.keys(fields)).toEqual([
      'host', 'port', 'prefix', 'metrics', 'allow_status_codes', 'udp_packet_size', 'use_tcp', 'hostname_in_prefix',
      'consumer_identifier_default', 'service_identifier_default', 'workspace_identifier_default', 'retry_count',
      'queue_size', 'flush_timeout', 'tag_style', 'queue',
    ]);
    expect(fields.host).toMatchObject({ type: 'string', default: 'localhost' });
    expect(fields.port).toMatchObject({ type: 'integer', default: 8125 });
    expect(fields.prefix).toMatchObject({ default: 'kong' });
    expect(fields.consumer_identifier_default).toMatchObject({ default: 'custom_id', required: true });
    expect(fields.service_identifier_default).toMatchObject({ default: 'service_name_or_host' });
    expect(fields.tag_style.one_of).toEqual(['dogstatsd', 'influxdb', 'librato', 'signalfx']);
    expect(fields.metrics.default.map((m: { name: string }) => m.name)).toEqual([
      'request_count', 'latency', 'request_size', 'status_count', 'response_size', 'unique_users', 'request_per_user',
      'upstream_latency', 'kong_latency', 'status_count_per_user', 'status_count_per_workspace',
      'status_count_per_user_per_route', 'shdict_usage',
    ]);
  });

  it.each([
    ['a counter without sample_rate', { metrics: [{ name: 'request_count', stat_type: 'counter' }] }, { metrics: [{ sample_rate: 'required field missing' }] }],
    ['an unknown metric', { metrics: [{ name: 'nope', stat_type: 'timer' }] }, { metrics: [{ name: expect.stringMatching(/^expected one of: kong_latency, latency, /) }] }],
    ['an unknown stat type', { metrics: [{ name: 'latency', stat_type: 'bogus' }] }, { metrics: [{ stat_type: 'expected one of: counter, gauge, histogram, meter, set, timer' }] }],
    ['a status range that is not one', { allow_status_codes: ['2xx'] }, { allow_status_codes: [expect.any(String)] }],
    ['a packet larger than UDP carries', { udp_packet_size: 70000 }, { udp_packet_size: 'value should be between 0 and 65507' }],
    ['an unknown tag style', { tag_style: 'graphite' }, { tag_style: 'expected one of: dogstatsd, influxdb, librato, signalfx' }],
  ])('refuses %s with Kong\'s error', async (_name, config, expected) => {
    const r = await http('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name: 'statsd', config } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config).toMatchObject(expected);
  });
});
