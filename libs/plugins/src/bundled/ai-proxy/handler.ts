// ai-proxy: an OpenAI-format chat/completions request is checked, translated by the provider's driver and sent
// to the provider (its URL, auth and headers); the answer comes back in OpenAI's format, whole or streamed as
// server-sent events, and its token usage goes to the log serializer (Kong's kong/plugins/ai-proxy + kong/llm).
import { gunzipSync } from 'node:zlib';
import type { PluginContext, PluginHandler } from '../../types';
import type { HostRequest } from '../../pipeline/host';
import { KONG_VERSION } from '../common';
import type { Driver, Json, Model } from '../../llm/drivers';
import {
  bail, compatibilityError, driverOf, estimateTokens, jsonBody, mergeDefaults, operationUrl, resolveModel, setJsonBody, type LlmConf,
} from '../../llm/request';
import { costOf, metricsOf, recordEnd, recordStart, serializeProxyAnalytics } from '../../llm/analytics';
import { StreamTranslator } from './stream';

interface Conf {
  readonly llm: LlmConf;
  readonly driver: Driver;
  readonly streaming: 'allow' | 'deny' | 'always';
  readonly maxBody: number;
  readonly modelNameHeader: boolean;
  readonly pluginId: string;
}

/** What access learnt about this request, for the response phases. */
interface State {
  readonly model: Model;
  readonly stream: boolean;
  /** The body as sent to the provider: what Kong logs as payload.request (ngx.req.get_body_data after set_body). */
  readonly upstreamBody: string;
  gzip: boolean;
  translator: StreamTranslator | null;
  responseBody: string | undefined;
}

const STATE = 'ai_proxy';
/** Kong's clear_response_headers: provider cookies never reach the client. */
const CLEARS_COOKIES = new Set(['openai', 'mistral']);

/** The gateway's side of kong.service.set_target / kong.service.request.set_scheme. */
interface Targetable {
  targetOverride: { host: string; port: number } | null;
  schemeOverride: 'http' | 'https' | null;
  readonly host: HostRequest;
}

export const handler: PluginHandler<Conf> = {
  name: 'ai-proxy',
  priority: 770,
  version: KONG_VERSION,

  prepare: (c, env) => ({
    llm: c as unknown as LlmConf,
    driver: driverOf((c.model as { provider: string }).provider),
    streaming: c.response_streaming as Conf['streaming'],
    maxBody: c.max_request_body_size as number,
    modelNameHeader: c.model_name_header === true,
    pluginId: env.pluginId,
  }),

  async access(kong, conf) {
    const request = await jsonBody(kong, conf.maxBody);
    recordStart(kong);
    const llm = conf.llm;
    const resolved = resolveModel(kong, llm.model, (kong as unknown as Targetable).host.uriCaptures ?? null);
    if ('error' in resolved) return bail(kong, 400, resolved.error);
    if (request === null) return bail(kong, 400, 'content-type header does not match request body, or bad JSON formatting');
    const valid = (Array.isArray(request.messages) && request.messages.length > 0) || typeof request.prompt === 'string';
    if (!valid) return bail(kong, 400, "request body doesn't contain valid prompts");
    const model = resolved.model;
    if (!model.name && typeof request.model === 'string') model.name = request.model;
    if (typeof request.model === 'string' && request.model !== '' && request.model !== model.name) {
      return bail(kong, 400, `cannot use own model - must be: ${model.name}`);
    }
    if (!model.name) return bail(kong, 400, 'model parameter not found in request, nor in gateway configuration');
    const incompatible = compatibilityError(request, llm.route_type);
    if (incompatible) return bail(kong, 400, incompatible);
    let openaiRequest: Json = { ...request };
    const stream = openaiRequest.stream === true || conf.streaming === 'always';
    if (stream) {
      openaiRequest.stream = true;
      if (conf.streaming === 'deny') return bail(kong, 400, 'response streaming is not enabled for this LLM');
    }
    const inUse = model as Model;
    openaiRequest = mergeDefaults(openaiRequest, inUse.options);
    const formatted = conf.driver.toFormat(openaiRequest, inUse, llm.route_type);
    if ('error' in formatted) return bail(kong, 400, formatted.error);
    const body = formatted.ok;
    const auth = llm.auth;
    if (auth.param_name && auth.param_value && auth.param_location === 'body' && (body[auth.param_name] === undefined || !auth.allow_override)) {
      body[auth.param_name] = auth.param_value;
    }
    setJsonBody(kong, body);
    const metrics = metricsOf(kong);
    if (!conf.driver.streamingHasTokenCounts) metrics.promptTokens = estimateTokens(openaiRequest, stream ? 1.8 : 1.0);
    const url = operationUrl(conf.driver, inUse, llm.route_type);
    if (url === null) {
      kong.log.error('failed to configure request for AI service: no upstream_url');
      return bail(kong, 500);
    }
    configureUpstream(kong, url, conf, stream, inUse);
    (kong.ctx as Record<string, unknown>)[STATE] = {
      model: inUse, stream, upstreamBody: (await kong.request.readBody()).toString('utf8'), gzip: false, translator: null, responseBody: undefined,
    } satisfies State;
  },

  header_filter(kong, conf) {
    const st = kong.ctx[STATE] as State | undefined;
    if (!st || kong.response.exited || kong.response.getStatus() !== 200) return;
    if (conf.modelNameHeader) kong.response.setHeader('X-Kong-LLM-Model', `${st.model.provider}/${st.model.name}`);
    if (CLEARS_COOKIES.has(st.model.provider)) kong.response.clearHeader('set-cookie');
    if (st.stream) {
      kong.response.setHeader('Content-Type', 'text/event-stream');
      const metrics = metricsOf(kong);
      const translator = new StreamTranslator(conf.driver, st.model, conf.llm.route_type, metrics, conf.llm.logging.log_statistics);
      st.translator = translator;
      kong.response.filterChunks((chunk, last) => {
        const out = translator.push(chunk, last);
        if (last) finishStream(kong, conf, st, translator);
        return out;
      });
      return;
    }
    // the answer is rewritten whole: a compressed upstream body is inflated, and sent as identity
    st.gzip = /gzip/i.test(kong.response.getHeader('content-encoding') ?? '');
    kong.response.clearHeader('content-encoding');
  },

  buffersBody: () => true,

  body_filter(kong, conf) {
    const st = kong.ctx[STATE] as State | undefined;
    if (!st || st.stream || kong.response.exited || kong.response.getStatus() !== 200) return;
    recordEnd(kong);
    let raw = kong.response.getBody() ?? Buffer.alloc(0);
    if (st.gzip) {
      try {
        raw = gunzipSync(raw);
      } catch {
        // not gzip after all: translated as it is
      }
    }
    const translated = conf.driver.fromFormat(raw.toString('utf8'), st.model, conf.llm.route_type);
    if ('error' in translated) {
      kong.log.error('issue when transforming the response body for analytics', { err: translated.error });
      kong.response.setStatus(500);
      kong.response.setBody(JSON.stringify({ error: { message: translated.error } }));
      return;
    }
    st.responseBody = translated.ok;
    const metrics = metricsOf(kong);
    let answer: Json | undefined;
    try {
      answer = JSON.parse(translated.ok);
    } catch {
      answer = undefined;
    }
    if (typeof answer?.usage?.prompt_tokens === 'number') metrics.promptTokens = answer.usage.prompt_tokens;
    if (typeof answer?.usage?.completion_tokens === 'number') metrics.completionTokens = answer.usage.completion_tokens;
    metrics.cost = costOf(metrics.promptTokens ?? 0, metrics.completionTokens ?? 0, st.model.options);
    kong.response.setBody(translated.ok);
  },

  log(kong, conf) {
    const st = kong.ctx[STATE] as State | undefined;
    if (!st) return;
    let responseModel: string | undefined;
    if (st.responseBody !== undefined) {
      try {
        const m = (JSON.parse(st.responseBody) as Json).model;
        if (typeof m === 'string') responseModel = m;
      } catch {
        responseModel = undefined;
      }
    }
    serializeProxyAnalytics(
      kong,
      conf.llm.logging,
      { pluginId: conf.pluginId, provider: st.model.provider, requestModel: st.model.name, responseModel },
      { request: st.upstreamBody, response: st.responseBody },
    );
  },
};

/** Kong's configure_request: the provider's host, scheme and path, its headers and the configured auth. */
function configureUpstream(kong: PluginContext, url: URL, conf: Conf, stream: boolean, model: Model): void {
  const run = kong as unknown as Targetable;
  const scheme = url.protocol === 'http:' ? 'http' : 'https';
  run.schemeOverride = scheme;
  run.targetOverride = { host: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : scheme === 'https' ? 443 : 80 };
  kong.request.setPath(url.pathname.replace(/^\/*/, '/'));
  // the whole answer is decoded here, so gzip is welcome; a stream is translated chunk by chunk and must not be
  if (model.provider === 'openai') kong.request.setHeader('accept-encoding', stream ? 'identity' : 'gzip, identity');
  for (const [name, value] of Object.entries(conf.driver.headers(model))) kong.request.setHeader(name, value);
  const auth = conf.llm.auth;
  if (auth.header_name && auth.header_value) {
    const name = auth.header_name.toLowerCase();
    if (kong.request.getHeader(name) === undefined || !auth.allow_override) kong.request.setHeader(name, auth.header_value);
  }
  if (auth.param_name && auth.param_value && auth.param_location === 'query') {
    const query = new Map(kong.request.getQuery());
    if (!query.has(auth.param_name) || !auth.allow_override) {
      query.set(auth.param_name, [auth.param_value]);
      kong.request.setQuery(query);
    }
  }
}

/** The stream ended: Kong's closing bookkeeping (estimated completion tokens, cost, the composite answer). */
function finishStream(kong: PluginContext, conf: Conf, st: State, translator: StreamTranslator): void {
  recordEnd(kong);
  const metrics = metricsOf(kong);
  if (conf.llm.logging.log_statistics && !metrics.completionTokens) metrics.completionTokens = Math.ceil(translator.text.trim().length / 4);
  metrics.cost = costOf(metrics.promptTokens ?? 0, metrics.completionTokens ?? 0, st.model.options);
  const prompt = metrics.promptTokens ?? 0;
  const completion = metrics.completionTokens ?? 0;
  st.responseBody = JSON.stringify({
    choices: [{ finish_reason: translator.finishReason ?? null, index: 0, logprobs: null, message: { role: 'assistant', content: translator.text } }],
    object: 'chat.completion',
    usage: { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion },
  });
}
