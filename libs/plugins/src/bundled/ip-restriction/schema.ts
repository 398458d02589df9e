import { typedefs } from '@tollgate/schema';
import { atLeastOneOf, withConfigChecks } from '../../validate-config';

/** Kong 3.10's ip-restriction schema.lua: it also guards stream routes. */
export const protocols = ['http', 'https', 'tcp', 'tls', 'grpc', 'grpcs'];

export const schema = withConfigChecks([
  ['allow', { type: 'array', elements: typedefs.ipOrCidr, description: 'IPs or CIDR ranges allowed.' }],
  ['deny', { type: 'array', elements: typedefs.ipOrCidr, description: 'IPs or CIDR ranges denied.' }],
  ['status', { type: 'number', description: 'Status of the rejection (default 403).' }],
  ['message', { type: 'string', description: 'Message of the rejection.' }],
], [atLeastOneOf(['allow', 'deny'])]);
