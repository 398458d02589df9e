// The request side every AI plugin shares: the client's JSON body (parsed once per body version), Kong's checks
// of an OpenAI-format request, the model in use, and the provider request built by the driver
// (Kong's parse-request and normalize-request filters).
import type { PluginContext } from '../types';
import { PROVIDERS, type Driver, type Json, type Model, type ModelOptions, type RouteType } from './drivers';

/** The llm config record as the plugins hold it after validation. */
export interface LlmConf {
  readonly route_type: RouteType;
  readonly auth: {
    readonly header_name: string | null; readonly header_value: string | null;
    readonly param_name: string | null; readonly param_value: string | null; readonly param_location: 'query' | 'body' | null;
    readonly allow_override: boolean;
  };
  readonly model: { readonly provider: string; readonly name: string | null; readonly options: ModelOptions };
  readonly logging: { readonly log_statistics: boolean; readonly log_payloads: boolean };
}

export function driverOf(provider: string): Driver {
  const d = PROVIDERS.get(provider);
  if (!d) throw new Error(`no driver for provider '${provider}'`);
  return d;
}

const BODY_KEY = 'ai_request_body';

/**
 * The request body as a JSON object, or null (not JSON, not an object, or larger than `maxSize`). Parsed once for
 * each body version: an AI plugin that rewrites the body (decorator, template) makes the next one parse anew.
 */
export async function jsonBody(kong: PluginContext, maxSize: number): Promise<Json | null> {
  const raw = await kong.request.readBody();
  const cached = kong.ctx[BODY_KEY] as { raw: Buffer; table: Json | null } | undefined;
  if (cached && cached.raw === raw) return cached.table;
  let table: Json | null = null;
  const type = kong.request.getHeader('content-type') ?? 'application/json';
  if (raw.length <= maxSize && /^application\/(.+\+)?json\b/i.test(type)) {
    try {
      const parsed = JSON.parse(raw.toString('utf8'));
      if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) table = parsed;
    } catch {
      table = null;
    }
  }
  kong.ctx[BODY_KEY] = { raw, table };
  return table;
}

/** Replaces the upstream body with this JSON object (kong.service.request.set_body for the AI plugins). */
export function setJsonBody(kong: PluginContext, table: Json): void {
  const raw = Buffer.from(JSON.stringify(table));
  kong.request.setBody(raw);
  kong.request.setHeader('content-type', 'application/json');
  kong.ctx[BODY_KEY] = { raw, table };
}

/** Kong's `{error: {message}}` answer of the AI plugins. */
export function bail(kong: PluginContext, status: number, message?: string): void {
  kong.response.exit(status, message === undefined ? undefined : { error: { message } });
}

/**
 * Kong's merge_model_options: a string option may name a request value as `$(headers.x)`, `$(uri_captures.x)`
 * or `$(query_params.x)`. Returns the resolved copy or an error message.
 */
export function resolveModel(kong: PluginContext, conf: LlmConf['model'], captures: Readonly<Record<string, string>> | null): { model: { provider: string; name: string | null; options: ModelOptions } } | { error: string } {
  let error: string | undefined;
  const resolve = (v: unknown): unknown => {
    if (typeof v !== 'string') return v;
    const m = /\$\((.*?)\)/.exec(v);
    if (!m) return v;
    const parts = m[1].split('.');
    if (parts.length !== 2) {
      error ??= `cannot parse expression for field '${v}'`;
      return v;
    }
    const [source, key] = parts;
    let value: string | undefined;
    if (source === 'headers') value = kong.request.getHeader(key.toLowerCase());
    else if (source === 'query_params') value = kong.request.getQuery().get(key)?.[0];
    else if (source === 'uri_captures') value = captures?.[key];
    else {
      error ??= `source '${source}' is not supported`;
      return v;
    }
    if (value === undefined) {
      error ??= `${source} key ${key} was not provided`;
      return v;
    }
    return v.slice(0, m.index) + value + v.slice(m.index + m[0].length);
  };
  const options: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(conf.options ?? {})) options[k] = resolve(v);
  const name = resolve(conf.name) as string | null;
  if (error) return { error };
  return { model: { provider: conf.provider, name, options: options as ModelOptions } };
}

/** Kong's identify_request + is_compatible. */
export function compatibilityError(request: Json, routeType: RouteType): string | undefined {
  const formats: string[] = [];
  if (Array.isArray(request.messages) && request.messages.length > 0) formats.push('llm/v1/chat');
  if (typeof request.prompt === 'string') formats.push('llm/v1/completions');
  if (formats.length > 1) return 'request matches multiple LLM request formats';
  if (formats.length === 0) return 'request format not recognised';
  return formats[0] === routeType ? undefined : `[${formats[0]}] message format is not compatible with [${routeType}] route type`;
}

/** Kong's merge_config_defaults: configured options win over the request's. */
export function mergeDefaults(request: Json, options: ModelOptions): Json {
  const out = { ...request };
  for (const k of ['temperature', 'max_tokens', 'top_p', 'top_k'] as const) {
    const v = options[k];
    if (v !== null && v !== undefined) out[k] = v;
  }
  return out;
}

/** Kong's calculate_cost: a word count times `factor`, for providers that do not report prompt tokens. */
export function estimateTokens(body: Json, factor: number): number {
  const words = (v: unknown): number => {
    if (typeof v === 'string') return v.split(/\s+/).filter(Boolean).length;
    if (Array.isArray(v)) return v.reduce((n: number, part) => n + (part?.type === 'text' && typeof part.text === 'string' ? words(part.text) : 0), 0);
    return 0;
  };
  let cost = 0;
  if (Array.isArray(body.choices)) {
    for (const c of body.choices) cost += words(c?.message?.content ?? c?.text) * factor;
  } else if (Array.isArray(body.messages)) {
    for (const m of body.messages) cost += words(m?.content) * factor;
  } else if (typeof body.prompt === 'string') {
    cost = words(body.prompt) * factor;
  }
  return Math.floor(cost + 0.5);
}

/** Where the operation lives: upstream_url, else the provider's default URL and operation path. */
export function operationUrl(driver: Driver, model: Model, routeType: RouteType): URL | null {
  const configured = model.options.upstream_url;
  if (configured) return new URL(configured);
  const base = driver.defaultUrl(routeType);
  if (base === null) return null;
  const u = new URL(base);
  if (model.options.upstream_path) u.pathname = model.options.upstream_path;
  return u;
}

