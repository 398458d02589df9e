// datadog through a real DB-less node: DogStatsD lines with Kong's tags (service name, status, consumer, the
// metric's own tags), custom tag names and prefix, the agent address from KONG_DATADOG_AGENT_HOST/PORT when
// config.host is null; received by a UDP socket this test opens and decoded from the wire format.
import { http } from '../support/http';
import { createKit, eventually, type Kit } from './support/kit';
import { decodeStatsd, startUdpReceiver, type UdpReceiver } from './support/statsd-receiver';

describe('datadog (proxy)', () => {
  let kit: Kit;
  let agent: UdpReceiver;
  let envAgent: UdpReceiver;

  beforeAll(async () => {
    [agent, envAgent] = await Promise.all([startUdpReceiver(), startUdpReceiver()]);
    kit = await createKit({ env: { KONG_DATADOG_AGENT_HOST: '127.0.0.1', KONG_DATADOG_AGENT_PORT: String(envAgent.port) } });
    const b = kit.builder;
    const svc = b.service(kit.upstream.port, { name: 'orders.v1' });
    const route = b.route(svc, ['/dd'], { name: 'dd' });
    const alice = b.consumer('alice', { custom_id: 'cust-1' });
    b.keyAuth(alice, 'alice-key');
    b.plugin('key-auth', {}, { route });
    b.plugin('datadog', { host: '127.0.0.1', port: agent.port }, { route });
    const custom = b.route(svc, ['/custom'], { name: 'custom' });
    b.plugin('datadog', {
      host: null, port: null, prefix: 'edge', service_name_tag: 'service', status_tag: 'http_status', consumer_tag: 'user',
      metrics: [
        { name: 'request_count', stat_type: 'counter', sample_rate: 0.25, tags: ['team:payments', 'canary'] },
        { name: 'upstream_latency', stat_type: 'distribution', consumer_identifier: 'username' },
      ],
    }, { route: custom });
    await kit.start();
  });
  afterAll(async () => {
    await kit?.close();
    agent?.close();
    envAgent?.close();
  });

  it('sends Kong\'s six default metrics as DogStatsD lines tagged name, status, consumer, app:kong', async () => {
    expect((await kit.get('/dd/x', { apikey: 'alice-key' })).status).toBe(200);
    const lines = await eventually(() => (agent.lines().length >= 6 ? agent.lines() : undefined));
    expect(agent.datagrams).toHaveLength(6);
    const metrics = lines.map(decodeStatsd);
    expect(metrics.map((m) => `${m.name}|${m.type}`)).toEqual([
      'kong.request.count|c', 'kong.latency|ms', 'kong.request.size|ms', 'kong.response.size|ms', 'kong.upstream_latency|ms', 'kong.kong_latency|ms',
    ]);
    for (const m of metrics) {
      expect(m.style).toBe('dogstatsd');
      expect(m.tags).toEqual({ name: 'orders_v1', status: '200', consumer: 'cust-1', app: 'kong' });
      expect(m.value).toMatch(/^\d+$/);
    }
    expect(metrics[0].value).toBe('1');
    // the tag order on the wire is Kong's: name, status, consumer, then the metric's tags
    expect(lines[0]).toBe('kong.request.count:1|c|#name:orders_v1,status:200,consumer:cust-1,app:kong');
  });

  it('a request Kong answered: no consumer tag, and upstream_latency is -1 as Kong sends it', async () => {
    const before = agent.lines().length;
    expect((await kit.get('/dd/x')).status).toBe(401);
    const lines = await eventually(() => (agent.lines().length >= before + 6 ? agent.lines().slice(before) : undefined));
    const upstream = lines.map(decodeStatsd).find((m) => m.name === 'kong.upstream_latency')!;
    expect(upstream.value).toBe('-1');
    expect(upstream.tags).toEqual({ name: 'orders_v1', status: '401', app: 'kong' });
  });

  it('custom prefix, tag names, sample rate and tags; the agent from the environment when host is null', async () => {
    expect((await kit.get('/custom/x')).status).toBe(200);
    const lines = await eventually(() => (envAgent.lines().length >= 2 ? envAgent.lines() : undefined));
    expect(lines).toEqual([
      'edge.request.count:1|c|@0.25|#service:orders_v1,http_status:200,team:payments,canary',
      expect.stringMatching(/^edge\.upstream_latency:\d+\|d\|#service:orders_v1,http_status:200$/),
    ]);
  });

  it('GET /schemas/plugins/datadog has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${kit.admin}/schemas/plugins/datadog`);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const fields = Object.fromEntries(config.fields.map((f: Record<string, unknown>) => Object.entries(f)[0]));
    expect(Object.keys(fields)).toEqual([
      'host', 'port', 'prefix', 'service_name_tag', 'status_tag', 'consumer_tag', 'retry_count', 'queue_size', 'flush_timeout', 'queue', 'metrics',
    ]);
    expect(fields.host).toMatchObject({ default: 'localhost', referenceable: true });
    expect(fields.port).toMatchObject({ default: 8125 });
    expect(fields.metrics.default[0]).toEqual({ name: 'request_count', stat_type: 'counter', sample_rate: 1, tags: ['app:kong'], consumer_identifier: 'custom_id' });
  });

  it.each([
    ['a gauge without sample_rate', { metrics: [{ name: 'latency', stat_type: 'gauge' }] }, { metrics: [{ sample_rate: 'required field missing' }] }],
    ['a sample rate above 1', { metrics: [{ name: 'latency', stat_type: 'timer', sample_rate: 2 }] }, { metrics: [{ sample_rate: 'value should be between 0 and 1' }] }],
    ['a tag ending in a colon', { metrics: [{ name: 'latency', stat_type: 'timer', tags: ['team:'] }] }, { metrics: [{ tags: [expect.any(String)] }] }],
    ['an unknown metric', { metrics: [{ name: 'status_count', stat_type: 'counter', sample_rate: 1 }] }, { metrics: [{ name: 'expected one of: kong_latency, latency, request_count, request_size, response_size, upstream_latency' }] }],
  ])('refuses %s', async (_name, config, expected) => {
    const r = await http('POST', `${kit.admin}/schemas/plugins/validate`, { body: { name: 'datadog', config } });
    expect(r.status).toBe(400);
    expect(r.json.fields.config).toMatchObject(expected);
  });
});
