// Mistral: La Plateforme speaks OpenAI's format; self-hosted models may speak Ollama's (`mistral_format`)
// (Kong's kong/llm/drivers/mistral.lua).
import { ollamaFormat } from './ollama';
import { openaiFormat } from './openai';
import type { Driver } from './types';

const format = (model: { options: { mistral_format?: string | null } }) => (model.options.mistral_format === 'ollama' ? ollamaFormat : openaiFormat);

export const mistral: Driver = {
  // Kong's operation map has chat only; completions go to the host's root unless upstream_url says otherwise
  defaultUrl: (routeType) => `https://api.mistral.ai:443${routeType === 'llm/v1/chat' ? '/v1/chat/completions' : '/'}`,
  headers: () => ({}),
  streamingHasTokenCounts: false,
  toFormat: (request, model, routeType) => format(model).toFormat(request, model, routeType),
  fromFormat: (body, model, routeType) => format(model).fromFormat(body, model, routeType),
  fromStreamEvent: (event, model, routeType) => format(model).fromStreamEvent(event, model, routeType),
};
