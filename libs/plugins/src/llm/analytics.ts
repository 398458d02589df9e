// Per-request LLM figures (Kong's kong/llm/plugin/observability.lua: tokens, cost, latency) and their place in the
// log serializer: `ai.proxy.{meta,usage,payload}` for ai-proxy, `ai.<plugin>.*` for the transformers. The
// prometheus plugin reads the `ai` section back for its ai_llm_* metrics.
import type { PluginContext } from '../types';
import { setSerializeValue } from '../log/serializer';
import type { ModelOptions } from './drivers';

export interface LlmMetrics {
  startedAt: number | null;
  e2eLatency: number | null;
  promptTokens: number | null;
  completionTokens: number | null;
  cost: number | null;
}

const KEY = 'ai_llm_metrics';

/** This request's figures, shared by the AI plugins of the request (Kong's ngx.ctx.ai_llm_metrics). */
export function metricsOf(kong: PluginContext): LlmMetrics {
  return ((kong.ctx[KEY] as LlmMetrics | undefined) ??= { startedAt: null, e2eLatency: null, promptTokens: null, completionTokens: null, cost: null });
}

export function recordStart(kong: PluginContext): void {
  const m = metricsOf(kong);
  m.startedAt ??= performance.now();
}

export function recordEnd(kong: PluginContext): void {
  const m = metricsOf(kong);
  if (m.startedAt !== null) m.e2eLatency = Math.floor(performance.now() - m.startedAt);
}

/** Kong's cost: tokens times the configured price per million, when both prices are set. */
export function costOf(prompt: number, completion: number, options: ModelOptions): number {
  if (!options.input_cost || !options.output_cost) return 0;
  return (prompt * options.input_cost + completion * options.output_cost) / 1_000_000;
}

function usageOf(m: LlmMetrics): Record<string, number> {
  const prompt = m.promptTokens ?? 0;
  const completion = m.completionTokens ?? 0;
  const latency = m.e2eLatency ?? 0;
  return {
    time_per_token: completion > 0 ? latency / completion : 0,
    prompt_tokens: prompt,
    completion_tokens: completion,
    total_tokens: prompt + completion,
    cost: m.cost ?? 0,
  };
}

/** Kong's serialize-analytics filter: ai-proxy's figures under `ai.proxy` (log_statistics / log_payloads). */
export function serializeProxyAnalytics(
  kong: PluginContext,
  logging: { log_statistics: boolean; log_payloads: boolean },
  meta: { pluginId: string; provider: string; requestModel: string; responseModel: string | undefined },
  payloads: { request: string | undefined; response: string | undefined },
): void {
  if (!logging.log_statistics) return;
  const m = metricsOf(kong);
  setSerializeValue(kong, 'ai.proxy.meta', {
    plugin_id: meta.pluginId,
    provider_name: meta.provider,
    request_model: meta.requestModel,
    response_model: meta.responseModel ?? meta.requestModel,
    llm_latency: m.e2eLatency ?? 0,
  });
  setSerializeValue(kong, 'ai.proxy.usage', usageOf(m));
  if (logging.log_payloads) {
    if (payloads.request !== undefined) setSerializeValue(kong, 'ai.proxy.payload.request', payloads.request);
    if (payloads.response !== undefined) setSerializeValue(kong, 'ai.proxy.payload.response', payloads.response);
  }
}

/**
 * Kong's post_request of the transformers' LLM call: `ai.<plugin>.{meta,usage,cache}` from the OpenAI-format
 * answer's usage.
 */
export function serializeTransformerAnalytics(
  kong: PluginContext,
  plugin: string,
  logging: { log_statistics: boolean; log_payloads: boolean },
  meta: { pluginId: string; provider: string; requestModel: string; options: ModelOptions; latencyMs: number },
  response: { model?: string; usage?: { prompt_tokens?: number; completion_tokens?: number; total_tokens?: number } },
  payloads: { request: string; response: string },
): void {
  if (logging.log_payloads) {
    setSerializeValue(kong, `ai.${plugin}.payload.request`, payloads.request);
    setSerializeValue(kong, `ai.${plugin}.payload.response`, payloads.response);
  }
  if (!logging.log_statistics) return;
  const usage: Record<string, number> = {};
  const u = response.usage;
  if (u?.completion_tokens !== undefined) usage.time_per_token = u.completion_tokens > 0 ? Math.floor(meta.latencyMs / u.completion_tokens) : 0;
  if (u?.prompt_tokens !== undefined) usage.prompt_tokens = u.prompt_tokens;
  if (u?.completion_tokens !== undefined) usage.completion_tokens = u.completion_tokens;
  if (u?.total_tokens !== undefined) usage.total_tokens = u.total_tokens;
  if (u?.prompt_tokens !== undefined && u.completion_tokens !== undefined && meta.options.input_cost && meta.options.output_cost) {
    usage.cost = costOf(u.prompt_tokens, u.completion_tokens, meta.options);
  }
  setSerializeValue(kong, `ai.${plugin}.meta`, {
    plugin_id: meta.pluginId,
    provider_name: meta.provider,
    request_model: meta.requestModel,
    response_model: response.model ?? meta.requestModel,
    llm_latency: meta.latencyMs,
  });
  setSerializeValue(kong, `ai.${plugin}.usage`, usage);
  setSerializeValue(kong, `ai.${plugin}.cache`, {});
}
