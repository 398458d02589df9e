// ai-prompt-template's config (Kong's kong/plugins/ai-prompt-template/schema.lua).
import type { FieldList } from '@tollgate/schema';

export const schema: FieldList = [
  ['templates', {
    type: 'array',
    required: true,
    description: 'Array of templates available to the request context.',
    elements: {
      type: 'record',
      required: true,
      fields: [
        ['name', { type: 'string', required: true, description: 'Unique name for the template, can be called with `{template://NAME}`' }],
        ['template', { type: 'string', required: true, description: 'Template string for this request, supports mustache-style `{{placeholders}}`' }],
      ],
    },
  }],
  ['allow_untemplated_requests', { type: 'boolean', required: true, default: true, description: "Set true to allow requests that don't call or match any template." }],
  ['log_original_request', { type: 'boolean', required: true, default: false, description: 'Set true to add the original request to the Kong log plugin(s) output.' }],
  ['max_request_body_size', { type: 'integer', default: 8 * 1024, gt: 0, description: 'max allowed body size allowed to be introspected' }],
];
