// The Ollama wire format (mistral and llama2 with `*_format = ollama`): /api/chat-style bodies with `options`,
// newline-delimited JSON when streaming (Kong's to_ollama/from_ollama in kong/llm/drivers/shared.lua).
import type { Json, Model, Result, RouteType, SseEvent } from './types';
import { SSE_TERMINATOR } from './types';

export const ollamaFormat = {
  toFormat(request: Json, model: Model, routeType: RouteType): Result<Json> {
    if (request.prompt !== undefined && request.messages !== undefined) {
      return { error: "cannot run raw 'prompt' and chat history 'messages' requests at the same time - refer to schema" };
    }
    void routeType;
    return {
      ok: {
        messages: request.messages,
        prompt: request.messages === undefined ? request.prompt : undefined,
        stream: request.stream === true,
        model: model.name ?? request.name,
        tools: request.tools,
        tool_choice: request.tool_choice,
        options: { num_predict: request.max_tokens, temperature: request.temperature, top_p: request.top_p, top_k: request.top_k },
      },
    };
  },

  fromFormat(body: string, model: Model, routeType: RouteType): Result<string> {
    let r: Json;
    try {
      r = JSON.parse(body);
    } catch {
      return { error: `transformation failed from type ${model.provider}://${routeType}: failed to decode ollama response` };
    }
    const stopLength = model.options.max_tokens ?? -1;
    const out: Json = {
      model: r.model,
      created: r.created_at,
      usage: { completion_tokens: r.eval_count ?? 0, prompt_tokens: r.prompt_eval_count ?? 0, total_tokens: (r.eval_count ?? 0) + (r.prompt_eval_count ?? 0) },
    };
    if (routeType === 'llm/v1/chat') {
      out.object = 'chat.completion';
      out.choices = [{ finish_reason: r.finish_reason ?? (r.eval_count === stopLength ? 'length' : 'stop'), index: 0, message: r.message }];
    } else {
      out.object = 'text_completion';
      out.choices = [{ index: 0, text: r.response }];
    }
    return { ok: JSON.stringify(out) };
  },

  fromStreamEvent(event: SseEvent, model: Model, routeType: RouteType) {
    let r: Json;
    try {
      r = JSON.parse(event.data ?? '');
    } catch {
      return { error: 'failed to decode ollama response' };
    }
    if (r.done) return { frame: SSE_TERMINATOR, usage: { prompt_tokens: r.prompt_eval_count ?? 0, completion_tokens: r.eval_count ?? 0 } };
    if (routeType === 'llm/v1/chat') {
      return { frame: JSON.stringify({ choices: [{ delta: { content: r.message?.content ?? '' }, index: 0 }], model: r.model, object: 'chat.completion.chunk' }) };
    }
    return { frame: JSON.stringify({ choices: [{ text: r.response ?? '', index: 0 }], model: r.model, object: 'text_completion' }) };
  },
};
