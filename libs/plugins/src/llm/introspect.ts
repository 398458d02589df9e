// The AI transformers' one-shot LLM call (Kong's LLM:ai_introspect_body): the configured prompt as the system
// message, the body to transform as the user message, through the same provider driver as ai-proxy; the answer's
// first choice (optionally cut to the first match of transformation_extract_pattern) is the new body.
import type { Dispatcher } from 'undici';
import { undici } from '../lazy-deps';
import type { PluginContext } from '../types';
import { driverOf, mergeDefaults, operationUrl, type LlmConf } from './request';
import type { Json, Model } from './drivers';
import { serializeTransformerAnalytics } from './analytics';

/** The transformer plugins' shared config besides `llm` (their schema.ts). */
export interface TransformerConf {
  readonly llm: LlmConf;
  readonly model: Model;
  readonly prompt: string;
  readonly extract: RegExp | null;
  readonly timeoutMs: number;
  readonly maxBody: number;
  readonly dispatcher: Dispatcher;
  readonly pluginId: string;
}

/** One connection pool per (TLS verification, forward proxy): shared by configs, kept across config versions. */
const DISPATCHERS = new Map<string, Dispatcher>();

/** Builds the shared parts of a transformer's prepared config (one dispatcher per plugin config version). */
export function prepareTransformer(c: Record<string, unknown>, pluginId: string): TransformerConf {
  const llm = c.llm as LlmConf;
  const verify = c.https_verify !== false;
  const proxyHost = (c.https_proxy_host ?? c.http_proxy_host) as string | null;
  const proxyPort = (c.https_proxy_host ? c.https_proxy_port : c.http_proxy_port) as number | null;
  const key = `${verify}|${proxyHost ?? ''}|${proxyPort ?? ''}`;
  let dispatcher = DISPATCHERS.get(key);
  if (!dispatcher) {
    dispatcher = proxyHost
      ? new (undici().ProxyAgent)({ uri: `http://${proxyHost}:${proxyPort}`, requestTls: { rejectUnauthorized: verify } })
      : new (undici().Agent)({ connect: { rejectUnauthorized: verify } });
    DISPATCHERS.set(key, dispatcher);
  }
  const pattern = c.transformation_extract_pattern as string | null;
  return {
    llm,
    model: { provider: llm.model.provider, name: llm.model.name ?? '', options: llm.model.options },
    prompt: c.prompt as string,
    // Kong matches with "ijom": case-insensitive, multi-line
    extract: pattern ? new RegExp(pattern, 'im') : null,
    timeoutMs: c.http_timeout as number,
    maxBody: c.max_request_body_size as number,
    dispatcher,
    pluginId,
  };
}

/** Sends `input` to the LLM with the configured prompt; resolves to the transformed text, or an error message. */
export async function introspect(kong: PluginContext, plugin: string, conf: TransformerConf, input: string): Promise<{ text: string } | { error: string }> {
  const driver = driverOf(conf.model.provider);
  const chat: Json = { messages: [{ role: 'system', content: conf.prompt }, { role: 'user', content: input }], stream: false };
  const formatted = driver.toFormat(mergeDefaults(chat, conf.model.options), conf.model, 'llm/v1/chat');
  if ('error' in formatted) return formatted;
  const body = formatted.ok;
  const auth = conf.llm.auth;
  if (auth.param_name && auth.param_value && auth.param_location === 'body') body[auth.param_name] = auth.param_value;
  const url = operationUrl(driver, conf.model, 'llm/v1/chat');
  if (url === null) return { error: 'failed to introspect request with AI service: no upstream_url' };
  if (auth.param_name && auth.param_value && auth.param_location === 'query') url.searchParams.set(auth.param_name, auth.param_value);
  const headers: Record<string, string> = { accept: 'application/json', 'content-type': 'application/json', ...driver.headers(conf.model) };
  if (auth.header_name && auth.header_value) headers[auth.header_name.toLowerCase()] = auth.header_value;
  const requestText = JSON.stringify(body);
  const started = performance.now();
  let status: number;
  let answerText: string;
  try {
    const res = await undici().request(url, {
      method: 'POST', headers, body: requestText, dispatcher: conf.dispatcher, headersTimeout: conf.timeoutMs, bodyTimeout: conf.timeoutMs,
    });
    status = res.statusCode;
    answerText = await res.body.text();
  } catch (err) {
    return { error: `failed to introspect request with AI service: request to ai service failed: ${(err as Error).message}` };
  }
  if (status > 299) return { error: `failed to introspect request with AI service: status code ${status}` };
  const converted = driver.fromFormat(answerText, conf.model, 'llm/v1/chat');
  if ('error' in converted) return { error: `failed to convert AI response to Kong format: ${converted.error}` };
  let answer: Json;
  try {
    answer = JSON.parse(converted.ok);
  } catch (err) {
    return { error: `failed to convert AI response to JSON: ${(err as Error).message}` };
  }
  serializeTransformerAnalytics(
    kong, plugin, conf.llm.logging,
    { pluginId: conf.pluginId, provider: conf.model.provider, requestModel: conf.model.name || 'UNSPECIFIED', options: conf.model.options, latencyMs: Math.floor(performance.now() - started) },
    answer,
    { request: requestText, response: converted.ok },
  );
  let text = answer?.choices?.[0]?.message?.content;
  if (typeof text !== 'string') return { error: "no 'choices' in upstream AI service response" };
  if (conf.extract) {
    const m = conf.extract.exec(text);
    if (!m) return { error: 'AI response did not match specified regular expression' };
    text = m[0];
  }
  return { text };
}
