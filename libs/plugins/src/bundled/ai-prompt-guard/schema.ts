// ai-prompt-guard's config (Kong's kong/plugins/ai-prompt-guard/schema.lua); patterns must compile as JavaScript
// regular expressions (Kong's are PCRE; the common syntax is shared).
import type { FieldDef, FieldList } from '@tollgate/schema';
import { atLeastOneOf, notARegex, withConfigChecks, type ConfigCheck } from '../../validate-config';

const patterns = (description: string): FieldDef => ({ type: 'array', len_max: 10, description, elements: { type: 'string', len_min: 1, len_max: 500, custom: notARegex } });

const fields: FieldList = [
  ['allow_patterns', patterns("Array of valid regex patterns, or valid questions from the 'user' role in chat.")],
  ['deny_patterns', patterns("Array of invalid regex patterns, or invalid questions from the 'user' role in chat.")],
  ['allow_all_conversation_history', { type: 'boolean', required: true, default: false, description: 'If true, will ignore all previous chat prompts from the conversation history.' }],
  ['max_request_body_size', { type: 'integer', default: 8 * 1024, gt: 0, description: 'max allowed body size allowed to be introspected' }],
  ['match_all_roles', { type: 'boolean', required: true, default: false, description: "If true, will match all roles in addition to 'user' role in conversation history." }],
  ['llm_format', { type: 'string', default: 'openai', one_of: ['openai', 'bedrock', 'gemini'], description: 'LLM input and output format and schema to use' }],
];

const historyWithAllRoles: ConfigCheck = (c) =>
  c.match_all_roles === true && c.allow_all_conversation_history !== false
    ? [
      { path: 'config.allow_all_conversation_history', message: 'value must be false' },
      { message: "failed conditional validation given value of field 'config.match_all_roles'" },
    ]
    : [];

export const schema = withConfigChecks(fields, [atLeastOneOf(['allow_patterns', 'deny_patterns']), historyWithAllRoles]);
