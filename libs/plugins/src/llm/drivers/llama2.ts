// Llama 2, self-hosted (upstream_url is required): `openai` and `ollama` formats as the shared ones, `raw` as a
// Hugging Face text-generation endpoint fed the [INST] chat template (Kong's kong/llm/drivers/llama2.lua).
import { ollamaFormat } from './ollama';
import { openaiFormat } from './openai';
import type { Driver, Json, Model, Result, RouteType } from './types';

function messagesToInst(messages: Json[]): string {
  let out = '';
  messages.forEach((m, i) => {
    if (i === 0) out += `<s>[INST] <<SYS>> ${String(m.content)} <</SYS>>`;
    else if (i === 1) out += ` ${String(m.content)} [/INST]`;
    else if (m.role === 'system') out += ` ${String(m.content)} </s>`;
    else if (m.role === 'user') out += ` <s>[INST] ${String(m.content)} [/INST]`;
  });
  return out;
}

const rawFormat = {
  toFormat(request: Json, model: Model, routeType: RouteType): Result<Json> {
    if (request.prompt !== undefined && request.messages !== undefined) {
      return { error: "cannot run raw 'prompt' and chat history 'messages' requests at the same time - refer to schema" };
    }
    void model;
    void routeType;
    const inputs = Array.isArray(request.messages)
      ? messagesToInst(request.messages)
      : `<s> [INST] <<SYS>> You are a helpful assistant. <<SYS>> ${String(request.prompt)} [/INST]`;
    return {
      ok: {
        parameters: { max_new_tokens: request.max_tokens, top_p: request.top_p, top_k: request.top_k, temperature: request.temperature, stream: request.stream === true },
        inputs,
      },
    };
  },
  fromFormat(body: string, model: Model, routeType: RouteType): Result<string> {
    const fail = (err: string) => ({ error: `transformation failed from type ${model.provider}://${routeType}: ${err}` });
    let r: Json;
    try {
      r = JSON.parse(body);
    } catch {
      return fail('failed to decode llama2 response');
    }
    if (!r || !Array.isArray(r.data) || r.data.length > 1) return fail('cannot parse response from llama2 endpoint');
    const generated = r.data[0]?.generated_text;
    if (typeof generated !== 'string') return fail('response data is empty from llama2 endpoint');
    const parts = generated.split('[/INST]');
    const reply = parts[parts.length - 1].trim();
    const out: Json = routeType === 'llm/v1/chat'
      ? { choices: [{ message: { content: reply, role: 'assistant' }, index: 0 }], object: 'chat.completion' }
      : { choices: [{ index: 0, text: reply }], object: 'text_completion' };
    if (r.usage) out.usage = r.usage;
    return { ok: JSON.stringify(out) };
  },
  fromStreamEvent(_event: unknown, model: Model, routeType: RouteType) {
    return { error: `no transformer available from format ${model.provider}://stream/${routeType}/raw` };
  },
};

const format = (model: Model) => (model.options.llama2_format === 'openai' ? openaiFormat : model.options.llama2_format === 'ollama' ? ollamaFormat : rawFormat);

export const llama2: Driver = {
  defaultUrl: () => null,
  headers: () => ({}),
  streamingHasTokenCounts: true,
  toFormat: (request, model, routeType) => format(model).toFormat(request, model, routeType),
  fromFormat: (body, model, routeType) => format(model).fromFormat(body, model, routeType),
  fromStreamEvent: (event, model, routeType) => format(model).fromStreamEvent(event as never, model, routeType),
};
