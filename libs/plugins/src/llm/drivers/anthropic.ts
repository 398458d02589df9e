// Anthropic: chat goes to /v1/messages (system prompt lifted out of the messages, tool calls as tool_use blocks),
// completions to the legacy /v1/complete with a Human/Assistant prompt; the Messages API's events
// (message_start, content_block_delta, message_delta, message_stop) become OpenAI chunks (kong/llm/drivers/anthropic.lua).
import type { Driver, Json, Model, Result, RouteType, SseEvent, StreamState } from './types';
import { SSE_TERMINATOR } from './types';

const OPERATION: Record<RouteType, string> = { 'llm/v1/chat': '/v1/messages', 'llm/v1/completions': '/v1/complete' };

function toClaudeMessages(messages: Json[]): { messages: Json[]; system?: unknown } {
  const out: Json[] = [];
  let system: unknown;
  for (const m of messages) {
    if (m.role !== 'assistant' && m.role !== 'user' && m.role !== 'tool') {
      system = m.content;
    } else if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      out.push({
        role: 'assistant',
        content: m.tool_calls.map((c: Json) => ({ type: 'tool_use', id: c.id, name: c.function?.name, input: parseArguments(c.function?.arguments) })),
      });
    } else if (m.role === 'tool') {
      out.push({ role: 'user', content: [{ type: 'tool_result', tool_use_id: m.tool_call_id, content: m.content }] });
    } else {
      out.push(m);
    }
  }
  return { messages: out, system };
}

function parseArguments(text: unknown): unknown {
  if (typeof text !== 'string') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function toTools(tools: Json[]): Json[] {
  return tools.filter((t) => t.function).map((t) => {
    const { parameters, ...rest } = t.function as Json;
    return { ...rest, input_schema: parameters };
  });
}

function toToolChoice(choice: unknown): Json | undefined {
  if (typeof choice === 'string') {
    if (choice === 'required') return { type: 'any' };
    if (choice === 'none' || choice === 'auto') return { type: choice };
    return undefined;
  }
  if (choice && typeof choice === 'object' && (choice as Json).type === 'function' && (choice as Json).function?.name) {
    return { type: 'tool', name: (choice as Json).function.name };
  }
  return undefined;
}

function messagesToPrompt(messages: Json[]): string {
  let out = '';
  for (const m of messages) {
    if (m.role === 'assistant') out += 'Assistant: ';
    else if (m.role === 'user') out += 'Human: ';
    out += `${String(m.content)}\n\n`;
  }
  return out + 'Assistant:';
}

function fail(model: Model, routeType: string, err: string): { error: string } {
  return { error: `transformation failed from type ${model.provider}://${routeType}: ${err}` };
}

function chunk(model: Model, state: StreamState, delta: Json, extra: Json = {}): string {
  return JSON.stringify({
    choices: [{ delta, index: 0, finish_reason: null, logprobs: null }],
    id: state.id,
    model: model.name,
    object: 'chat.completion.chunk',
    ...extra,
  });
}

export const anthropic: Driver = {
  defaultUrl: (routeType) => `https://api.anthropic.com:443${OPERATION[routeType]}`,
  headers: (model): Record<string, string> => (model.options.anthropic_version ? { 'anthropic-version': model.options.anthropic_version } : {}),
  streamingHasTokenCounts: true,

  toFormat(request, model, routeType): Result<Json> {
    const temperature = model.options.temperature ?? request.temperature;
    const maxTokens = model.options.max_tokens ?? request.max_tokens;
    if (routeType === 'llm/v1/chat') {
      if (!Array.isArray(request.messages)) return { error: `error transforming to ${model.provider}://${routeType}` };
      const { messages, system } = toClaudeMessages(request.messages);
      return {
        ok: {
          messages, system, temperature, max_tokens: maxTokens, model: model.name ?? request.model, stream: request.stream === true,
          tools: Array.isArray(request.tools) ? toTools(request.tools) : undefined,
          tool_choice: request.tool_choice !== undefined ? toToolChoice(request.tool_choice) : undefined,
        },
      };
    }
    const prompt = typeof request.prompt === 'string' ? `Human: ${request.prompt}\n\nAssistant:`
      : Array.isArray(request.messages) ? messagesToPrompt(request.messages) : undefined;
    if (prompt === undefined) return { error: `error transforming to ${model.provider}://${routeType}` };
    return { ok: { prompt, temperature, max_tokens_to_sample: maxTokens, model: model.name ?? request.model, stream: request.stream === true } };
  },

  fromFormat(body, model, routeType): Result<string> {
    let r: Json;
    try {
      r = JSON.parse(body);
    } catch {
      return fail(model, routeType, 'failed to decode anthropic response');
    }
    if (routeType === 'llm/v1/chat') {
      if (!Array.isArray(r?.content)) return fail(model, routeType, "'content' not in anthropic://llm/v1/chat response");
      const text = r.content.filter((c: Json) => c.text !== undefined).map((c: Json) => c.text).join('\n');
      const tools = r.content.filter((c: Json) => c.type === 'tool_use')
        .map((c: Json) => ({ id: c.id, type: 'function', function: { name: c.name, arguments: JSON.stringify(c.input) } }));
      const u = r.usage;
      const usage = u ? {
        prompt_tokens: u.input_tokens,
        completion_tokens: u.output_tokens,
        total_tokens: typeof u.input_tokens === 'number' && typeof u.output_tokens === 'number' ? u.input_tokens + u.output_tokens : undefined,
      } : 'no usage data returned from upstream';
      return {
        ok: JSON.stringify({
          choices: [{ index: 0, message: { role: 'assistant', content: text, tool_calls: tools.length ? tools : undefined }, finish_reason: r.stop_reason }],
          usage,
          model: r.model,
          object: 'chat.completion',
        }),
      };
    }
    if (r?.completion === undefined) return fail(model, routeType, "'completion' not in anthropic://llm/v1/chat response");
    return {
      ok: JSON.stringify({ choices: [{ index: 0, text: r.completion, finish_reason: r.stop_reason }], model: r.model, object: 'text_completion' }),
    };
  },

  fromStreamEvent(event: SseEvent, model, routeType, state) {
    if (routeType !== 'llm/v1/chat') return { error: `no transformer available from format ${model.provider}://stream/${routeType}` };
    let data: Json | undefined;
    try {
      data = event.data !== undefined ? JSON.parse(event.data) : undefined;
    } catch {
      data = undefined;
    }
    if (!event.event || !data) return { error: 'transformation to stream event failed or empty stream event received' };
    switch (event.event) {
      case 'message_start': {
        const meta = data.message;
        if (!meta) return { error: 'message_start is missing the metadata block' };
        state.id = meta.id;
        return {
          frame: JSON.stringify({
            choices: [{ delta: { content: '', role: meta.role }, index: 0, logprobs: null }],
            id: meta.id, model: model.name, object: 'chat.completion.chunk', system_fingerprint: null,
          }),
          usage: { prompt_tokens: meta.usage?.input_tokens, completion_tokens: meta.usage?.output_tokens },
        };
      }
      case 'message_delta':
        if (!data.usage) return { error: 'message_delta is missing the metadata block' };
        return { usage: { completion_tokens: data.usage.output_tokens } };
      case 'content_block_start':
      case 'content_block_delta':
        return { frame: chunk(model, state, { content: data.delta?.text ?? (data.content_block ? '' : '') }) };
      case 'message_stop':
        return { frame: SSE_TERMINATOR };
      default:
        return {};
    }
  },
};
