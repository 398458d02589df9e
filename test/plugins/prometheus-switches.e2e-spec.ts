// prometheus' metric switches on a real node (Kong 3.x): with a switch off its series are absent from the
// status listener's /metrics; upstream_health_metrics exports kong_upstream_target_health for every target
// address (healthchecks_off / healthy / unhealthy / dns_error, 1 on the current state) while some prometheus
// plugin asks for it.
import type { Row } from '@tollgate/declarative/snapshot';
import { http } from '../support/http';
import { createKit, eventually, type Kit } from './support/kit';

/** The sample lines (not HELP/TYPE) of the scrape. */
async function samples(kit: Kit): Promise<string[]> {
  const res = await http('GET', `${kit.status}/metrics`);
  expect(res.status).toBe(200);
  return res.text.split('\n').filter((l) => l && !l.startsWith('#'));
}

const series = (lines: string[], metric: string) => lines.filter((l) => l.startsWith(`${metric}{`) || l.startsWith(`${metric} `));

describe('prometheus switches (proxy)', () => {
  let kit: Kit;
  let plugin: Row;
  let upstream: Row;

  beforeAll(async () => {
    kit = await createKit();
    const b = kit.builder;
    upstream = b.upstream('pool');
    b.target(upstream, `127.0.0.1:${kit.upstream.port}`);
    b.target(upstream, 'no-such-host.invalid:80');
    const svc = b.service(0, { name: 'pooled', host: 'pool', port: 80 });
    b.route(svc, ['/pooled'], { name: 'pooled' });
    const direct = b.service(kit.upstream.port, { name: 'direct' });
    b.route(direct, ['/direct'], { name: 'direct' });
    plugin = b.plugin('prometheus', {});
    await kit.start();
  });
  afterAll(async () => kit?.close());

  /** Replaces the global prometheus plugin's config and waits until the node serves it. */
  async function reconfigure(config: Record<string, unknown>): Promise<void> {
    const b = kit.builder;
    b.plugins.splice(b.plugins.indexOf(plugin), 1);
    plugin = b.plugin('prometheus', config);
    await kit.start();
  }

  it('with every switch off (the defaults) no request, latency, bandwidth or health series', async () => {
    expect((await kit.get('/direct/a')).status).toBe(200);
    expect((await kit.get('/pooled/a')).status).toBe(200);
    const lines = await samples(kit);
    for (const metric of ['kong_http_requests_total', 'kong_request_latency_ms_count', 'kong_upstream_latency_ms_count', 'kong_kong_latency_ms_count',
      'kong_bandwidth_bytes', 'kong_upstream_target_health']) {
      expect(series(lines, metric)).toEqual([]);
    }
    // the node metrics are always there
    expect(series(lines, 'kong_datastore_reachable')).toEqual(['kong_datastore_reachable 1']);
  });

  it('upstream_health_metrics: every target address with its state, dns_error for a name that does not resolve', async () => {
    await reconfigure({ upstream_health_metrics: true });
    const target = `127.0.0.1:${kit.upstream.port}`;
    const lines = await eventually(async () => {
      const l = series(await samples(kit), 'kong_upstream_target_health');
      return l.length === 8 ? l : undefined;
    }, 20_000);
    const label = (t: string, address: string, state: string) => `kong_upstream_target_health{upstream="pool",target="${t}",address="${address}",state="${state}",subsystem="http"}`;
    expect(new Set(lines)).toEqual(new Set([
      `${label(target, target, 'healthchecks_off')} 1`,
      `${label(target, target, 'healthy')} 0`,
      `${label(target, target, 'unhealthy')} 0`,
      `${label(target, target, 'dns_error')} 0`,
      `${label('no-such-host.invalid:80', '', 'healthchecks_off')} 0`,
      `${label('no-such-host.invalid:80', '', 'healthy')} 0`,
      `${label('no-such-host.invalid:80', '', 'unhealthy')} 0`,
      `${label('no-such-host.invalid:80', '', 'dns_error')} 1`,
    ]));
    // the other switches are still off
    expect((await kit.get('/direct/b')).status).toBe(200);
    expect(series(await samples(kit), 'kong_http_requests_total')).toEqual([]);
  });

  it('status_code_metrics alone: request counts, but no latency or bandwidth, and health gone again', async () => {
    await reconfigure({ status_code_metrics: true });
    expect((await kit.get('/direct/c')).status).toBe(200);
    const lines = await eventually(async () => {
      const l = await samples(kit);
      return series(l, 'kong_http_requests_total').length > 0 ? l : undefined;
    });
    expect(series(lines, 'kong_http_requests_total')).toEqual(['kong_http_requests_total{service="direct",route="direct",code="200",source="service",workspace="default",consumer=""} 1']);
    for (const metric of ['kong_request_latency_ms_count', 'kong_bandwidth_bytes', 'kong_upstream_target_health']) expect(series(lines, metric)).toEqual([]);
  });

  it('latency_metrics and bandwidth_metrics add their series', async () => {
    await reconfigure({ latency_metrics: true, bandwidth_metrics: true });
    expect((await kit.get('/direct/d')).status).toBe(200);
    const lines = await eventually(async () => {
      const l = await samples(kit);
      return series(l, 'kong_bandwidth_bytes').length > 0 ? l : undefined;
    });
    expect(series(lines, 'kong_request_latency_ms_count')).toEqual(['kong_request_latency_ms_count{service="direct",route="direct",workspace="default"} 1']);
    expect(series(lines, 'kong_bandwidth_bytes').map((l) => l.replace(/ \d+$/, ''))).toEqual([
      'kong_bandwidth_bytes{service="direct",route="direct",direction="ingress",workspace="default",consumer=""}',
      'kong_bandwidth_bytes{service="direct",route="direct",direction="egress",workspace="default",consumer=""}',
    ]);
  });
});
