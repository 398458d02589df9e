// ai-prompt-decorator's config (Kong's kong/plugins/ai-prompt-decorator/schema.lua).
import type { FieldDef, FieldList } from '@tollgate/schema';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';

const prompt: FieldDef = {
  type: 'record',
  fields: [
    ['role', { type: 'string', required: true, one_of: ['system', 'assistant', 'user'], default: 'system' }],
    ['content', { type: 'string', required: true, len_min: 1, len_max: 500 }],
  ],
};

const fields: FieldList = [
  ['prompts', {
    type: 'record',
    fields: [
      ['prepend', { type: 'array', elements: prompt, len_max: 15, description: 'Insert chat messages at the beginning of the chat message array. This array preserves exact order when adding messages.' }],
      ['append', { type: 'array', elements: prompt, len_max: 15, description: 'Insert chat messages at the end of the chat message array. This array preserves exact order when adding messages.' }],
    ],
  }],
  ['max_request_body_size', { type: 'integer', default: 8 * 1024, gt: 0, description: 'max allowed body size allowed to be introspected' }],
  ['llm_format', { type: 'string', default: 'openai', one_of: ['openai', 'bedrock', 'gemini'], description: 'LLM input and output format and schema to use' }],
];

const oneList = (v: unknown) => Array.isArray(v) && v.length > 0;
const prependOrAppend: ConfigCheck = (c) => {
  const p = c.prompts as { prepend?: unknown; append?: unknown } | null;
  return oneList(p?.prepend) || oneList(p?.append)
    ? []
    : [{ message: "at least one of these fields must be non-empty: 'config.prompts.prepend', 'config.prompts.append'" }];
};

export const schema = withConfigChecks(fields, [prependOrAppend]);
