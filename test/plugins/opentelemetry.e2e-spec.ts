// opentelemetry through a real `tollgate start` node: W3C and the other header formats extracted and injected
// upstream, the request's spans (root, router, plugin phases, balancer tries) exported as OTLP/HTTP protobuf in
// batches with retries, and the logs signal, all decoded by a receiver in the test.
import { http } from '../support/http';
import { startLogNode, type LogNode } from './support/log-node';
import { eventually } from './support/kit';
import { startOtlpReceiver, type DecodedSpan, type OtlpReceiver } from './support/otlp-receiver';

jest.setTimeout(120_000);

const TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const PARENT = '00f067aa0ba902b7';
const traceparent = (trace: string, parent: string, flags = '01') => `00-${trace}-${parent}-${flags}`;
const spansOf = (r: OtlpReceiver, traceId: string) => r.spans().filter((s) => s.traceId === traceId);
const byName = (spans: DecodedSpan[], name: string) => spans.filter((s) => s.name === name);

describe('opentelemetry plugin (tracing_instrumentations = all)', () => {
  let node: LogNode;
  let otlp: OtlpReceiver;
  let flaky: OtlpReceiver;
  let upstreamPort: number;

  beforeAll(async () => {
    [otlp, flaky] = await Promise.all([startOtlpReceiver(), startOtlpReceiver()]);
    node = await startLogNode({ conf: { tracing_instrumentations: 'all', tracing_sampling_rate: '1' } });
    upstreamPort = (await http('GET', `${node.admin}/services/echo`)).json.port;
    // a global plugin runs in rewrite (Kong runs rewrite only for global plugins): its span, and a Lua log line
    const global = await http('POST', `${node.admin}/plugins`, { body: { name: 'pre-function', config: {
      rewrite: ["if kong.request.get_header('x-log-me') then kong.log.err('rewrite says ', kong.request.get_header('x-log-me')) end"],
    } } });
    if (global.status !== 201) throw new Error(global.text);
    await node.route('traced', [
      { name: 'opentelemetry', config: {
        traces_endpoint: `${otlp.url}/v1/traces`, logs_endpoint: `${otlp.url}/v1/logs`, http_response_header_for_traceid: 'x-trace-id',
        resource_attributes: { 'service.name': 'edge-gateway', tenant: '$(headers["x-tenant"])' }, headers: { 'x-api-token': 'secret' }, queue: { max_batch_size: 50, max_coalescing_delay: 0.2 },
      } },
      { name: 'correlation-id', config: {} },
    ]);
    await node.route('batched', [
      { name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, queue: { max_batch_size: 200, max_coalescing_delay: 2 } } },
    ]);
    await node.route('formats', [
      { name: 'opentelemetry', config: {
        traces_endpoint: `${otlp.url}/v1/traces`,
        propagation: { extract: ['w3c'], clear: ['traceparent'], inject: ['b3', 'b3-single', 'jaeger', 'ot', 'datadog', 'aws', 'gcp'], default_format: 'w3c' },
      } },
    ]);
    await node.route('extract', [
      { name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, propagation: { extract: ['jaeger', 'ot', 'datadog', 'aws', 'gcp'], inject: ['w3c'], default_format: 'w3c' } } },
    ]);
    await node.route('legacy-b3', [{ name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, header_type: 'b3' } }]);
    await node.route('retried', [
      { name: 'opentelemetry', config: { traces_endpoint: `${flaky.url}/v1/traces`, queue: { max_batch_size: 50, initial_retry_delay: 0.05, max_coalescing_delay: 0.1 } } },
    ]);
  });

  afterAll(async () => {
    await node?.close();
    await otlp?.close();
    await flaky?.close();
  });

  test('an incoming traceparent: same trace id upstream and in the spans, root parented to the caller, children to the root', async () => {
    const r = await http('GET', `${node.proxy}/traced/items?x=1`, { headers: { traceparent: traceparent(TRACE, PARENT), tracestate: 'vendor=abc', 'x-tenant': 'acme' } });
    expect(r.status).toBe(200);
    expect(r.headers['x-trace-id']).toBe(TRACE);
    const sent = r.json.headers as Record<string, string>;
    const m = /^00-([0-9a-f]{32})-([0-9a-f]{16})-01$/.exec(sent.traceparent);
    expect(m).not.toBeNull();
    expect(m![1]).toBe(TRACE);
    expect(m![2]).not.toBe(PARENT);
    expect(sent.tracestate).toBe('vendor=abc');

    const spans = await eventually(() => {
      const s = spansOf(otlp, TRACE);
      return s.some((x) => x.name === 'kong') && s.some((x) => x.name === 'kong.balancer') ? s : undefined;
    }, 20_000);
    const [root] = byName(spans, 'kong');
    expect(root.parentSpanId).toBe(PARENT);
    expect(root.kind).toBe(2); // SPAN_KIND_SERVER
    expect(root.attributes).toMatchObject({
      'http.method': 'GET', 'http.url': expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/traced\/items\?x=1$/), 'http.host': '127.0.0.1',
      'http.scheme': 'http', 'http.flavor': '1.1', 'http.status_code': 200, 'http.route': '/traced', 'net.peer.ip': '127.0.0.1',
      'kong.request.id': expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(root.types['http.status_code']).toBe('int_value');
    expect(root.end > root.start).toBe(true);
    // resource attribute values are templates rendered per request, as Kong's
    expect(root.resource).toMatchObject({ 'service.name': 'edge-gateway', tenant: 'acme', 'service.version': '3.10.0', 'service.instance.id': expect.any(String) });
    expect(root.scope).toEqual({ name: 'kong-internal', version: '0.1.0' });

    const [balancer] = byName(spans, 'kong.balancer');
    // the upstream request is the balancer span's child: its id is what traceparent carried
    expect(balancer.spanId).toBe(m![2]);
    expect(balancer.parentSpanId).toBe(root.spanId);
    expect(balancer.kind).toBe(3); // SPAN_KIND_CLIENT
    expect(balancer.attributes).toMatchObject({ try_count: 1, 'net.peer.ip': '127.0.0.1', 'net.peer.port': upstreamPort });

    for (const name of ['kong.router', 'kong.rewrite.plugin.pre-function', 'kong.access.plugin.opentelemetry', 'kong.access.plugin.correlation-id', 'kong.header_filter.plugin.correlation-id', 'kong.header_filter.plugin.opentelemetry']) {
      const found = byName(spans, name);
      expect({ name, count: found.length }).toEqual({ name, count: 1 });
      expect(found[0].parentSpanId).toBe(root.spanId);
      expect(found[0].start >= root.start && found[0].end <= root.end).toBe(true);
    }
    expect(new Set(spans.map((s) => s.spanId)).size).toBe(spans.length);
    expect(otlp.contentTypes.every((t) => t === 'application/x-protobuf')).toBe(true);
  });

  test('no incoming context: a new trace, the trace id in the response header matches the exported spans', async () => {
    const r = await http('GET', `${node.proxy}/traced`);
    const traceId = r.headers['x-trace-id'] as string;
    expect(traceId).toMatch(/^[0-9a-f]{32}$/);
    expect((r.json.headers.traceparent as string).split('-')[1]).toBe(traceId);
    const spans = await eventually(() => (spansOf(otlp, traceId).some((s) => s.name === 'kong') ? spansOf(otlp, traceId) : undefined), 20_000);
    expect(byName(spans, 'kong')[0].parentSpanId).toBe('');
  });

  test('an unsampled caller (flags 00): propagated as unsampled, no span exported', async () => {
    const unsampled = '11111111111111111111111111111111';
    const r = await http('GET', `${node.proxy}/traced`, { headers: { traceparent: traceparent(unsampled, PARENT, '00') } });
    expect(r.json.headers.traceparent).toMatch(new RegExp(`^00-${unsampled}-[0-9a-f]{16}-00$`));
    // the same queue, later: once a sampled request's spans arrived, the unsampled one would have too
    const sampled = '22222222222222222222222222222222';
    await http('GET', `${node.proxy}/traced`, { headers: { traceparent: traceparent(sampled, PARENT) } });
    await eventually(() => (spansOf(otlp, sampled).some((s) => s.name === 'kong') ? true : undefined), 20_000);
    expect(spansOf(otlp, unsampled)).toEqual([]);
  });

  test('spans of several requests go out together in one export request (queue.max_batch_size / max_coalescing_delay)', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await http('GET', `${node.proxy}/batched`)).json.headers.traceparent.split('-')[1]);
    const exports = await eventually(() => {
      const carrying = otlp.traceExports.filter((e) => e.some((s) => ids.includes(s.traceId)));
      return ids.every((id) => spansOf(otlp, id).some((s) => s.name === 'kong')) ? carrying : undefined;
    }, 20_000);
    const most = Math.max(...exports.map((e) => new Set(e.filter((s) => ids.includes(s.traceId)).map((s) => s.traceId)).size));
    expect(most).toBeGreaterThan(1);
    expect(exports.length).toBeLessThan(5);
  });

  test('propagation.extract/clear/inject: one W3C context injected in every other format, traceparent removed', async () => {
    const r = await http('GET', `${node.proxy}/formats`, { headers: { traceparent: traceparent(TRACE, PARENT) } });
    const h = r.json.headers as Record<string, string>;
    expect(h.traceparent).toBeUndefined();
    const spanId = h['x-b3-spanid'];
    expect(spanId).toMatch(/^[0-9a-f]{16}$/);
    expect(h['x-b3-traceid']).toBe(TRACE);
    expect(h['x-b3-sampled']).toBe('1');
    expect(h.b3).toMatch(new RegExp(`^${TRACE}-${spanId}-1-[0-9a-f]{16}$`));
    expect(h['uber-trace-id']).toMatch(new RegExp(`^${TRACE}:${spanId}:[0-9a-f]{16}:01$`));
    expect(h['ot-tracer-traceid']).toBe(TRACE);
    expect(h['ot-tracer-spanid']).toBe(spanId);
    expect(h['ot-tracer-sampled']).toBe('1');
    expect(h['x-datadog-trace-id']).toBe(BigInt('0x' + TRACE.slice(16)).toString());
    expect(h['x-datadog-parent-id']).toBe(BigInt('0x' + spanId).toString());
    expect(h['x-datadog-sampling-priority']).toBe('1');
    expect(h['x-amzn-trace-id']).toBe(`Root=1-${TRACE.slice(0, 8)}-${TRACE.slice(8)};Parent=${spanId};Sampled=1`);
    expect(h['x-cloud-trace-context']).toBe(`${TRACE}/${BigInt('0x' + spanId).toString()};o=1`);
  });

  test.each([
    ['jaeger', { 'uber-trace-id': `${'a1'.repeat(16)}:${PARENT}:0:1` }, 'a1'.repeat(16)],
    ['ot', { 'ot-tracer-traceid': 'b2'.repeat(16), 'ot-tracer-spanid': PARENT, 'ot-tracer-sampled': '1' }, 'b2'.repeat(16)],
    ['datadog', { 'x-datadog-trace-id': '1234567890123456789', 'x-datadog-parent-id': BigInt('0x' + PARENT).toString(), 'x-datadog-sampling-priority': '1' },
      '0'.repeat(16) + BigInt('1234567890123456789').toString(16).padStart(16, '0')],
    ['aws', { 'x-amzn-trace-id': `Root=1-${'c3'.repeat(4)}-${'c3'.repeat(12)};Parent=${PARENT};Sampled=1` }, 'c3'.repeat(16)],
    ['gcp', { 'x-cloud-trace-context': `${'d4'.repeat(16)}/${BigInt('0x' + PARENT).toString()};o=1` }, 'd4'.repeat(16)],
  ])('propagation.extract %s: the caller\'s trace continues in traceparent and in the exported root span', async (_format, headers, traceId) => {
    const r = await http('GET', `${node.proxy}/extract`, { headers });
    expect(r.json.headers.traceparent).toMatch(new RegExp(`^00-${traceId}-[0-9a-f]{16}-01$`));
    const root = await eventually(() => byName(spansOf(otlp, traceId), 'kong').find((s) => s.attributes['http.route'] === '/extract'), 20_000);
    expect(root.parentSpanId).toBe(PARENT);
  });

  test('legacy header_type = b3: the incoming format is kept and b3 added (Kong maps it to inject: preserve, b3)', async () => {
    const b3Trace = 'a3ce929d0e0e4736';
    const r = await http('GET', `${node.proxy}/legacy-b3`, { headers: { 'x-b3-traceid': b3Trace, 'x-b3-spanid': PARENT, 'x-b3-sampled': '1' } });
    const h = r.json.headers as Record<string, string>;
    expect(h['x-b3-traceid']).toBe(b3Trace); // an 8-byte b3 trace id stays 8 bytes
    expect(h['x-b3-spanid']).not.toBe(PARENT);
    expect(h['x-b3-sampled']).toBe('1');
    const spans = await eventually(() => (spansOf(otlp, '0'.repeat(16) + b3Trace).some((s) => s.name === 'kong') ? spansOf(otlp, '0'.repeat(16) + b3Trace) : undefined), 20_000);
    expect(byName(spans, 'kong')[0].parentSpanId).toBe(PARENT);
  });

  test('a collector that fails is retried until it accepts the batch', async () => {
    flaky.failFirst = 2;
    const r = await http('GET', `${node.proxy}/retried`);
    const traceId = r.json.headers.traceparent.split('-')[1];
    await eventually(() => (spansOf(flaky, traceId).some((s) => s.name === 'kong') ? true : undefined), 30_000);
    expect(flaky.posts).toBeGreaterThanOrEqual(3);
  });

  test('logs signal: a log line the request emitted is exported with its trace id and the active span id', async () => {
    // an all-zero trace id is refused with a warning while the opentelemetry access span runs
    const r = await http('GET', `${node.proxy}/traced`, { headers: { traceparent: traceparent('0'.repeat(32), PARENT) } });
    const traceId = r.headers['x-trace-id'] as string;
    const log = await eventually(() => otlp.logs().find((l) => l.traceId === traceId && /invalid W3C trace context trace ID/.test(l.body)), 20_000);
    expect(log).toMatchObject({ severityNumber: 13, severityText: 'WARN', flags: 1 });
    expect(log.attributes['request.id']).toMatch(/^[0-9a-f]{32}$/);
    expect(log.resource['service.name']).toBe('edge-gateway');
    const spans = await eventually(() => (byName(spansOf(otlp, traceId), 'kong.access.plugin.opentelemetry').length ? spansOf(otlp, traceId) : undefined), 20_000);
    expect(log.spanId).toBe(byName(spans, 'kong.access.plugin.opentelemetry')[0].spanId);
    expect(byName(spans, 'kong')[0].attributes['kong.request.id']).toBe(log.attributes['request.id']);
  });

  test('logs signal: a Lua kong.log.err in a rewrite handler carries the rewrite span id', async () => {
    const r = await http('GET', `${node.proxy}/traced`, { headers: { 'x-log-me': 'hello' } });
    const traceId = r.headers['x-trace-id'] as string;
    const log = await eventually(() => otlp.logs().find((l) => l.traceId === traceId && l.body.includes('rewrite says hello')), 20_000);
    expect(log).toMatchObject({ severityNumber: 17, severityText: 'ERR' });
    const spans = await eventually(() => (byName(spansOf(otlp, traceId), 'kong.rewrite.plugin.pre-function').length ? spansOf(otlp, traceId) : undefined), 20_000);
    expect(log.spanId).toBe(byName(spans, 'kong.rewrite.plugin.pre-function')[0].spanId);
  });

  test('balancer retries: one kong.balancer span per try, the failed one marked as an error', async () => {
    const dead = await startOtlpReceiver(); // a port that then refuses connections
    const deadPort = Number(new URL(dead.url).port);
    await dead.close();
    const up = await http('POST', `${node.admin}/upstreams`, { body: { name: 'flaky-up' } });
    expect(up.status).toBe(201);
    for (const target of [`127.0.0.1:${deadPort}`, `127.0.0.1:${upstreamPort}`]) {
      expect((await http('POST', `${node.admin}/upstreams/flaky-up/targets`, { body: { target } })).status).toBe(201);
    }
    expect((await http('POST', `${node.admin}/services`, { body: { name: 'flaky', host: 'flaky-up' } })).status).toBe(201);
    expect((await http('POST', `${node.admin}/services/flaky/routes`, { body: { name: 'flaky', paths: ['/flaky'] } })).status).toBe(201);
    expect((await http('POST', `${node.admin}/routes/flaky/plugins`, { body: { name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, queue: { max_batch_size: 50, max_coalescing_delay: 0.1 } } } })).status).toBe(201);
    await eventually(async () => ((await http('GET', `${node.proxy}/flaky`)).status === 200 ? true : undefined), 30_000);
    // round robin over two targets: within a few requests one tries the dead target first
    const retried = await eventually(async () => {
      const r = await http('GET', `${node.proxy}/flaky`);
      // the route can answer before its plugin reaches the worker: no traceparent yet, ask again
      const traceparent: string | undefined = r.json?.headers?.traceparent;
      if (traceparent === undefined) return undefined;
      const traceId = traceparent.split('-')[1];
      const spans = await eventually(() => (spansOf(otlp, traceId).some((s) => s.name === 'kong') ? spansOf(otlp, traceId) : undefined), 20_000);
      const tries = byName(spans, 'kong.balancer');
      return tries.length === 2 ? { spans, tries, sentSpan: traceparent.split('-')[2] } : undefined;
    }, 60_000);
    const root = byName(retried.spans, 'kong')[0];
    const [first, second] = retried.tries.sort((a, b) => Number(a.attributes.try_count) - Number(b.attributes.try_count));
    expect(first.attributes).toMatchObject({ try_count: 1, 'net.peer.port': deadPort, 'http.status_code': 502 });
    expect(first.status).toBe(2); // STATUS_CODE_ERROR
    expect(second.attributes).toMatchObject({ try_count: 2, 'net.peer.port': upstreamPort });
    expect(second.status).toBe(0);
    expect(second.spanId).toBe(retried.sentSpan);
    expect(first.parentSpanId).toBe(root.spanId);
    expect(second.parentSpanId).toBe(root.spanId);
  });
});

describe('opentelemetry plugin (tracing_instrumentations = off, Kong\'s default)', () => {
  let node: LogNode;
  let otlp: OtlpReceiver;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    node = await startLogNode();
    await node.route('propagated', [{ name: 'opentelemetry', config: { traces_endpoint: `${otlp.url}/v1/traces`, queue: { max_coalescing_delay: 0.1 } } }]);
    await node.route('marker', [{ name: 'http-log', config: { http_endpoint: `${otlp.url}/http-log` } }]);
  });

  afterAll(async () => {
    await node?.close();
    await otlp?.close();
  });

  test('headers are still propagated (same trace id, new span id, not sampled) and no span is exported', async () => {
    const r = await http('GET', `${node.proxy}/propagated`, { headers: { traceparent: traceparent(TRACE, PARENT) } });
    expect(r.json.headers.traceparent).toMatch(new RegExp(`^00-${TRACE}-(?!${PARENT})[0-9a-f]{16}-00$`));
    // a later log entry on another queue of the same receiver has arrived: the spans had 0.1 s to go before it
    await http('GET', `${node.proxy}/marker`);
    await eventually(() => (otlp.posts > 0 ? true : undefined), 20_000);
    await new Promise((ok) => setTimeout(ok, 500));
    expect(otlp.spans()).toEqual([]);
  });
});

describe('opentelemetry plugin (tracing_instrumentations = request,balancer; tracing_sampling_rate = 0)', () => {
  let node: LogNode;
  let otlp: OtlpReceiver;

  beforeAll(async () => {
    otlp = await startOtlpReceiver();
    node = await startLogNode({ conf: { tracing_instrumentations: 'request,balancer', tracing_sampling_rate: '0' } });
    const config = { traces_endpoint: `${otlp.url}/v1/traces`, queue: { max_batch_size: 50, max_coalescing_delay: 0.1 } };
    await node.route('node-rate', [{ name: 'opentelemetry', config }, { name: 'correlation-id', config: {} }]);
    await node.route('plugin-rate', [{ name: 'opentelemetry', config: { ...config, sampling_rate: 1 } }, { name: 'correlation-id', config: {} }]);
  });

  afterAll(async () => {
    await node?.close();
    await otlp?.close();
  });

  test('only the asked instrumentations are recorded, and the plugin\'s sampling_rate supersedes the node\'s', async () => {
    const skipped = (await http('GET', `${node.proxy}/node-rate`)).json.headers.traceparent as string;
    expect(skipped).toMatch(/-00$/); // sampled out by tracing_sampling_rate = 0, and said so upstream
    const kept = (await http('GET', `${node.proxy}/plugin-rate`)).json.headers.traceparent as string;
    expect(kept).toMatch(/-01$/);
    const traceId = kept.split('-')[1];
    const spans = await eventually(() => (spansOf(otlp, traceId).some((s) => s.name === 'kong') ? spansOf(otlp, traceId) : undefined), 20_000);
    expect(spans.map((s) => s.name).sort()).toEqual(['kong', 'kong.balancer']);
    // the node-rate queue has the same 0.1 s coalescing delay and its request went first: it would be here by now
    expect(spansOf(otlp, skipped.split('-')[1])).toEqual([]);
  });
});

describe('opentelemetry schema', () => {
  let node: LogNode;
  beforeAll(async () => { node = await startLogNode(); });
  afterAll(async () => { await node?.close(); });

  test('GET /schemas/plugins/opentelemetry: Kong 3.10 fields and defaults', async () => {
    const r = await http('GET', `${node.admin}/schemas/plugins/opentelemetry`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const names = config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0]);
    expect(names).toEqual(['traces_endpoint', 'logs_endpoint', 'headers', 'resource_attributes', 'queue', 'batch_span_count', 'batch_flush_delay',
      'connect_timeout', 'send_timeout', 'read_timeout', 'http_response_header_for_traceid', 'header_type', 'sampling_rate', 'propagation']);
    const field = (name: string) => config.fields.find((f: Record<string, unknown>) => name in f)[name];
    // Kong's typedefs.queue { default = { max_batch_size = 200 } }: a record default, the field keeps its own
    expect(field('queue').default.max_batch_size).toBe(200);
    expect(field('queue').fields.find((f: Record<string, unknown>) => 'max_batch_size' in f).max_batch_size.default).toBe(1);
    expect(field('connect_timeout').default).toBe(1000);
    expect(field('propagation').default.default_format).toBe('w3c');
  });

  test('POST /plugins: at least one endpoint, and sampling_rate between 0 and 1', async () => {
    const none = await http('POST', `${node.admin}/plugins`, { body: { name: 'opentelemetry', config: {} } });
    expect(none.status).toBe(400);
    // Kong's check is the config record's own: its error is under config.@entity, naming the record's fields
    expect(none.json.fields).toEqual({ config: { '@entity': ["at least one of these fields must be non-empty: 'traces_endpoint', 'logs_endpoint'"] } });
    const rate = await http('POST', `${node.admin}/plugins`, { body: { name: 'opentelemetry', config: { traces_endpoint: 'http://c:4318/v1/traces', sampling_rate: 2 } } });
    expect(rate.status).toBe(400);
    expect(rate.json.fields.config.sampling_rate).toBe('value should be between 0 and 1');
    const legacy = await http('POST', `${node.admin}/plugins`, { body: { name: 'opentelemetry', config: { endpoint: 'http://c:4318/v1/traces' } } });
    expect(legacy.status).toBe(201);
    expect(legacy.json.config.traces_endpoint).toBe('http://c:4318/v1/traces');
    expect(legacy.json.config.queue.max_batch_size).toBe(200);
    expect(legacy.json.config.propagation).toEqual({ extract: null, clear: null, inject: null, default_format: 'w3c' });
    expect((await http('DELETE', `${node.admin}/plugins/${legacy.json.id}`)).status).toBe(204);
    const partial = await http('POST', `${node.admin}/plugins`, { body: { name: 'opentelemetry', config: { traces_endpoint: 'http://c:4318/v1/traces', queue: { max_coalescing_delay: 2 } } } });
    expect(partial.status).toBe(201);
    expect(partial.json.config.queue).toMatchObject({ max_batch_size: 1, max_coalescing_delay: 2 });
    expect((await http('DELETE', `${node.admin}/plugins/${partial.json.id}`)).status).toBe(204);
    const noFormat = await http('POST', `${node.admin}/plugins`, { body: { name: 'opentelemetry', config: { traces_endpoint: 'http://c:4318/v1/traces', propagation: { extract: ['w3c'] } } } });
    expect(noFormat.status).toBe(400);
    expect(noFormat.json.fields.config.propagation.default_format).toBe('required field missing');
  });
});
