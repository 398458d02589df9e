// prometheus: records each request in the log phase; the scrape itself is metricsHandler() on status_listen.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { metrics } from './metrics';
import { serializedSection } from '../../log/serializer';

interface Conf { perConsumer: boolean; statusCodes: boolean; latency: boolean; bandwidth: boolean; ai: boolean; upstreamHealth: boolean }

export const handler: PluginHandler<Conf> = {
  name: 'prometheus',
  priority: 13,
  version: KONG_VERSION,
  prepare: (c) => ({
    perConsumer: c.per_consumer === true,
    statusCodes: c.status_code_metrics === true,
    latency: c.latency_metrics === true,
    bandwidth: c.bandwidth_metrics === true,
    ai: c.ai_metrics === true,
    // read at scrape time by kong_upstream_target_health (metrics.ts)
    upstreamHealth: c.upstream_health_metrics === true,
  }),
  log(kong, conf) {
    const service = kong.service ? ((kong.service.name ?? (kong.service.row.host as string)) || '') : '';
    const route = kong.route ? (kong.route.name ?? kong.route.id) : '';
    const consumer = conf.perConsumer ? consumerLabel(kong) : '';
    if (conf.statusCodes) {
      metrics().requests.inc({ service, route, code: String(kong.response.getStatus()), source: kong.response.exited ? 'kong' : 'service', workspace: 'default', consumer });
    }
    if (conf.latency) {
      const t = kong.timings;
      const labels = { service, route, workspace: 'default' };
      if (t.totalLatency !== null) metrics().requestLatency.observe(labels, t.totalLatency);
      if (t.upstreamLatency !== null) metrics().upstreamLatency.observe(labels, t.upstreamLatency);
      const kongLatency = t.proxyLatency ?? t.totalLatency;
      if (kongLatency !== null) metrics().kongLatency.observe(labels, kongLatency);
    }
    if (conf.bandwidth) {
      metrics().bandwidth.inc({ service, route, direction: 'ingress', workspace: 'default', consumer }, kong.timings.requestSize);
      metrics().bandwidth.inc({ service, route, direction: 'egress', workspace: 'default', consumer }, kong.timings.responseSize);
    }
    if (conf.ai) recordAiMetrics(kong);
  },
};

function consumerLabel(kong: PluginContext): string {
  const c = kong.client.consumer;
  return c ? String(c.username ?? c.custom_id ?? c.id) : '';
}

type AiUseCase = { meta?: Record<string, unknown>; usage?: Record<string, unknown>; cache?: Record<string, unknown> };
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Kong's AI metrics: one set per use case the AI plugins logged under `ai` (`proxy`, `ai-request-transformer`...). */
function recordAiMetrics(kong: PluginContext): void {
  const ai = serializedSection(kong, 'ai');
  if (!ai) return;
  for (const useCase of Object.values(ai)) {
    if (useCase === null || typeof useCase !== 'object' || Array.isArray(useCase)) continue;
    const { meta, usage, cache } = useCase as AiUseCase;
    // `ai.payload` (ai-prompt-template's log_original_request) is no LLM call: Kong would count it with empty labels
    if (!meta) continue;
    const labels = {
      ai_provider: str(meta?.provider_name), ai_model: str(meta?.request_model), cache_status: str(cache?.cache_status),
      vector_db: str(cache?.vector_db), embeddings_provider: str(cache?.embeddings_provider), embeddings_model: str(cache?.embeddings_model), workspace: 'default',
    };
    metrics().aiRequests.inc(labels);
    if (num(usage?.cost) > 0) metrics().aiCost.inc(labels, num(usage?.cost));
    if (typeof meta?.llm_latency === 'number' && meta.llm_latency >= 0) metrics().aiProviderLatency.observe(labels, meta.llm_latency);
    for (const type of ['prompt_tokens', 'completion_tokens', 'total_tokens']) {
      const n = num(usage?.[type]);
      // Kong's label order: token_type before workspace
      if (n > 0) {
        const { workspace, ...rest } = labels;
        metrics().aiTokens.inc({ ...rest, token_type: type, workspace }, n);
      }
    }
  }
}
