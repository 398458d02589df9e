
import { atLeastOneOf, onlyOneOf, withConfigChecks } from '../../validate-config';

export const schema = withConfigChecks([
  ['allow', { type: 'array', elements: { type: 'string' }, description: 'Groups allowed to consume the service.' }],
  ['deny', { type: 'array', elements: { type: 'string' }, description: 'Groups denied.' }],
  ['hide_groups_header', { type: 'boolean', required: true, default: false }],
  ['always_use_authenticated_groups', { type: 'boolean', required: true, default: false }],
], [onlyOneOf(['allow', 'deny']), atLeastOneOf(['allow', 'deny'])]);

/** Kong's `consumer = typedefs.no_consumer`: this plugin is never scoped to a consumer. */
export const noConsumer = true;
