import { AggregatorRegistry, Histogram, Registry } from 'prom-client';
import { formatKongExposition, kongBucketLabels, LATENCY_BUCKETS } from './exposition';

describe('kongBucketLabels (nginx-lua-prometheus bucket format)', () => {
  it('pads Kong latency buckets to %07.1f', () => {
    expect([...kongBucketLabels(LATENCY_BUCKETS).values()]).toEqual([
      '+Inf', '00001.0', '00002.0', '00005.0', '00007.0', '00010.0', '00015.0', '00020.0', '00030.0', '00050.0', '00075.0',
      '00100.0', '00200.0', '00500.0', '00750.0', '01000.0', '02000.0', '05000.0', '10000.0', '30000.0', '60000.0',
    ]);
  });

  it.each([
    [[0.00005, 10, 1000], ['0000.00005', '0010.00000', '1000.00000']],
    [[0.5, 1, 2.25], ['0.50', '1.00', '2.25']],
    [[1, 2], ['1.0', '2.0']],
  ])('%j -> %j', (buckets, expected) => {
    const labels = kongBucketLabels(buckets);
    expect(buckets.map((b) => labels.get(String(b)))).toEqual(expected);
  });
});

describe('formatKongExposition', () => {
  it.each([
    [
      'le first (prom-client) moves last, padded',
      'kong_request_latency_ms_bucket{le="5",service="s",route="r",workspace="default"} 1',
      'kong_request_latency_ms_bucket{service="s",route="r",workspace="default",le="00005.0"} 1',
    ],
    [
      '+Inf',
      'kong_upstream_latency_ms_bucket{le="+Inf",service="s",route="r",workspace="default"} 7',
      'kong_upstream_latency_ms_bucket{service="s",route="r",workspace="default",le="+Inf"} 7',
    ],
    [
      'le in the middle',
      'kong_kong_latency_ms_bucket{service="s",le="60000",workspace="default"} 2',
      'kong_kong_latency_ms_bucket{service="s",workspace="default",le="60000.0"} 2',
    ],
    ['le alone', 'kong_kong_latency_ms_bucket{le="1"} 0', 'kong_kong_latency_ms_bucket{le="00001.0"} 0'],
    [
      'a label value that looks like le is left alone',
      'kong_request_latency_ms_bucket{le="10",service="a\\",le=\\"7",route="}",workspace="default"} 3',
      'kong_request_latency_ms_bucket{service="a\\",le=\\"7",route="}",workspace="default",le="00010.0"} 3',
    ],
    ['sum unchanged', 'kong_request_latency_ms_sum{service="s",route="r",workspace="default"} 3.5', 'kong_request_latency_ms_sum{service="s",route="r",workspace="default"} 3.5'],
    ['other histograms unchanged', 'http_latency_bucket{le="5"} 1', 'http_latency_bucket{le="5"} 1'],
    ['unknown bucket unchanged', 'kong_request_latency_ms_bucket{le="3"} 1', 'kong_request_latency_ms_bucket{le="3"} 1'],
  ])('%s', (_name, line, expected) => {
    expect(formatKongExposition(`# HELP x y\n${line}\n`)).toBe(`# HELP x y\n${expected}\n`);
  });

  async function exposition(aggregate: boolean): Promise<string> {
    const registry = new Registry();
    const h = new Histogram({ name: 'kong_request_latency_ms', help: 'h', labelNames: ['service', 'route', 'workspace'], buckets: [...LATENCY_BUCKETS], registers: [registry] });
    h.observe({ service: 's', route: 'r', workspace: 'default' }, 6);
    if (!aggregate) return registry.metrics();
    const json = await registry.getMetricsAsJSON();
    return AggregatorRegistry.aggregate([json, json] as never).metrics();
  }

  it.each([[false, '1'], [true, '2']])('a real prom-client scrape (aggregated across workers: %s)', async (aggregate, count) => {
    const lines = formatKongExposition(await exposition(aggregate)).split('\n').filter((l) => l.startsWith('kong_request_latency_ms_bucket'));
    const labels = '{service="s",route="r",workspace="default",le=';
    expect(lines.slice(0, 4)).toEqual([
      `kong_request_latency_ms_bucket${labels}"00001.0"} 0`,
      `kong_request_latency_ms_bucket${labels}"00002.0"} 0`,
      `kong_request_latency_ms_bucket${labels}"00005.0"} 0`,
      `kong_request_latency_ms_bucket${labels}"00007.0"} ${count}`,
    ]);
    expect(lines.at(-1)).toBe(`kong_request_latency_ms_bucket${labels}"+Inf"} ${count}`);
    expect(lines).toHaveLength(21);
  });
});
