// The provider drivers by Kong's provider name: the one translation layer ai-proxy and the AI transformers share.
import { anthropic } from './anthropic';
import { llama2 } from './llama2';
import { mistral } from './mistral';
import { openai } from './openai';
import type { Driver } from './types';

export const PROVIDERS: ReadonlyMap<string, Driver> = new Map([
  ['openai', openai],
  ['anthropic', anthropic],
  ['mistral', mistral],
  ['llama2', llama2],
]);

export * from './types';
