// OpenAI: the format every AI plugin speaks to its clients, so requests pass (with the model and stream flag set)
// and responses are only checked (Kong's kong/llm/drivers/openai.lua).
import type { Driver, Json, Model, Result, RouteType } from './types';

const OPERATION: Record<RouteType, string> = { 'llm/v1/chat': '/v1/chat/completions', 'llm/v1/completions': '/v1/completions' };

/** The OpenAI wire format; mistral and llama2 use it when their `*_format` is `openai`. */
export const openaiFormat = {
  toFormat(request: Json, model: Model): Result<Json> {
    const out: Json = { ...request, model: model.name ?? request.model, stream: request.stream === true };
    delete out.top_k; // OpenAI has no top_k: a configured default must not reach it
    return { ok: out };
  },
  fromFormat(body: string, model: Model, routeType: RouteType): Result<string> {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch {
      return { error: `transformation failed from type ${model.provider}://${routeType}: failed to decode ${routeType} response` };
    }
    if (parsed === null || typeof parsed !== 'object' || (parsed as Json).choices === undefined) {
      return { error: `transformation failed from type ${model.provider}://${routeType}: 'choices' not in ${routeType} response` };
    }
    return { ok: body };
  },
  fromStreamEvent(event: { data?: string }) {
    return { frame: event.data };
  },
};

export const openai: Driver = {
  defaultUrl: (routeType) => `https://api.openai.com:443${OPERATION[routeType]}`,
  headers: () => ({}),
  streamingHasTokenCounts: false,
  toFormat: (request, model) => openaiFormat.toFormat(request, model),
  fromFormat: (body, model, routeType) => openaiFormat.fromFormat(body, model, routeType),
  fromStreamEvent: (event) => openaiFormat.fromStreamEvent(event),
};
