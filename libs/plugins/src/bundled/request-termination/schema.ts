import { typedefs } from '@tollgate/schema';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';

const bodyOrMessage: ConfigCheck = (c) => {
  if (c.message != null && (c.body != null || c.content_type != null)) {
    return [{ path: 'config', message: 'message cannot be used with content_type or body' }];
  }
  if (c.content_type != null && c.body == null) return [{ path: 'config', message: 'content_type requires a body' }];
  return [];
};

export const schema = withConfigChecks([
  ['status_code', { type: 'integer', required: true, default: 503, between: [100, 599] }],
  ['message', { type: 'string' }],
  ['content_type', typedefs.headerValue],
  ['body', { type: 'string' }],
  ['echo', { type: 'boolean', required: true, default: false }],
  ['trigger', { type: 'string' }],
], [bodyOrMessage]);
