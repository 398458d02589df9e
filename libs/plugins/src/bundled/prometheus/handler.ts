// prometheus: records each request in the log phase; the scrape itself is metricsHandler() on status_listen.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { metrics } from './metrics';

interface Conf { perConsumer: boolean; statusCodes: boolean; latency: boolean; bandwidth: boolean }

export const handler: PluginHandler<Conf> = {
  name: 'prometheus',
  priority: 13,
  version: KONG_VERSION,
  prepare: (c) => ({
    perConsumer: c.per_consumer === true,
    statusCodes: c.status_code_metrics === true,
    latency: c.latency_metrics === true,
    bandwidth: c.bandwidth_metrics === true,
  }),
  log(kong, conf) {
    const service = kong.service ? ((kong.service.name ?? (kong.service.row.host as string)) || '') : '';
    const route = kong.route ? (kong.route.name ?? kong.route.id) : '';
    const consumer = conf.perConsumer ? consumerLabel(kong) : '';
    if (conf.statusCodes) {
      metrics.requests.inc({ service, route, code: String(kong.response.getStatus()), source: kong.response.exited ? 'kong' : 'service', workspace: 'default', consumer });
    }
    if (conf.latency) {
      const t = kong.timings;
      const labels = { service, route, workspace: 'default' };
      if (t.totalLatency !== null) metrics.requestLatency.observe(labels, t.totalLatency);
      if (t.upstreamLatency !== null) metrics.upstreamLatency.observe(labels, t.upstreamLatency);
      const kongLatency = t.proxyLatency ?? t.totalLatency;
      if (kongLatency !== null) metrics.kongLatency.observe(labels, kongLatency);
    }
    if (conf.bandwidth) {
      metrics.bandwidth.inc({ service, route, direction: 'ingress', workspace: 'default', consumer }, kong.timings.requestSize);
      metrics.bandwidth.inc({ service, route, direction: 'egress', workspace: 'default', consumer }, kong.timings.responseSize);
    }
  },
};

function consumerLabel(kong: PluginContext): string {
  const c = kong.client.consumer;
  return c ? String(c.username ?? c.custom_id ?? c.id) : '';
}
