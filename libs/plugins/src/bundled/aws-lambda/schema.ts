// aws-lambda (Kong's kong/plugins/aws-lambda/schema.lua).
import { MSG, typedefs } from '@tollgate/schema';
import { withConfigChecks, type ConfigCheck } from '../../validate-config';
import { urlField } from '../common';

/** Kong's mutually_required: a key without its secret (or the reverse) is refused. */
const keyAndSecret: ConfigCheck = (c) => {
  const set = [c.aws_key, c.aws_secret].filter((v) => v !== null && v !== undefined).length;
  return set === 1 ? [{ message: MSG.allOrNone(['config.aws_key', 'config.aws_secret']) }] : [];
};

const proxyScheme: ConfigCheck = (c) =>
  typeof c.proxy_url === 'string' && !c.proxy_url.startsWith('http://') ? [{ message: 'proxy_url scheme must be http' }] : [];

export const schema = withConfigChecks([
  ['timeout', { type: 'number', required: true, default: 60000, description: 'An optional timeout in milliseconds when invoking the function.' }],
  ['keepalive', { type: 'number', required: true, default: 60000, description: 'An optional value in milliseconds that defines how long an idle connection lives before being closed.' }],
  ['aws_key', { type: 'string', referenceable: true, description: 'The AWS key credential to be used when invoking the function.' }],
  ['aws_secret', { type: 'string', referenceable: true, description: 'The AWS secret credential to be used when invoking the function. ' }],
  ['aws_assume_role_arn', { type: 'string', referenceable: true, description: 'The target AWS IAM role ARN used to invoke the Lambda function.' }],
  ['aws_role_session_name', { type: 'string', default: 'kong', description: 'The identifier of the assumed role session.' }],
  ['aws_sts_endpoint_url', urlField],
  ['aws_region', typedefs.host],
  ['function_name', { type: 'string', required: false, description: 'The AWS Lambda function to invoke. Both function name and function ARN (including partial) are supported.' }],
  ['qualifier', { type: 'string', description: 'The qualifier to use when invoking the function.' }],
  ['invocation_type', {
    type: 'string', required: true, default: 'RequestResponse', one_of: ['RequestResponse', 'Event', 'DryRun'],
    description: 'The InvocationType to use when invoking the function. Available types are RequestResponse, Event, DryRun.',
  }],
  ['log_type', { type: 'string', required: true, default: 'Tail', one_of: ['Tail', 'None'], description: 'The LogType to use when invoking the function. By default, None and Tail are supported.' }],
  ['host', typedefs.host],
  ['port', { ...typedefs.port, default: 443 }],
  ['disable_https', { type: 'boolean', default: false }],
  ['unhandled_status', {
    type: 'integer', between: [100, 999],
    description: 'The response status code to use (instead of the default 200, 202, or 204) in the case of an Unhandled Function Error.',
  }],
  ['forward_request_method', { type: 'boolean', default: false, description: 'An optional value that defines whether the original HTTP request method verb is sent in the request_method field of the JSON-encoded request.' }],
  ['forward_request_uri', { type: 'boolean', default: false, description: 'An optional value that defines whether the original HTTP request URI is sent in the request_uri field of the JSON-encoded request.' }],
  ['forward_request_headers', { type: 'boolean', default: false, description: 'An optional value that defines whether the original HTTP request headers are sent as a map in the request_headers field of the JSON-encoded request.' }],
  ['forward_request_body', { type: 'boolean', default: false, description: 'An optional value that defines whether the request body is sent in the request_body field of the JSON-encoded request. If the body arguments can be parsed, they are sent in the separate request_body_args field of the request. ' }],
  ['is_proxy_integration', { type: 'boolean', default: false, description: 'An optional value that defines whether the response format to receive from the Lambda to this format.' }],
  ['awsgateway_compatible', { type: 'boolean', default: false, description: 'An optional value that defines whether the plugin should wrap requests into the Amazon API gateway.' }],
  ['proxy_url', urlField],
  ['skip_large_bodies', { type: 'boolean', default: true, description: 'An optional value that defines whether Kong should send large bodies that are buffered to disk' }],
  ['base64_encode_body', { type: 'boolean', default: true, description: 'An optional value that Base64-encodes the request body.' }],
  ['aws_imds_protocol_version', { type: 'string', required: true, default: 'v1', one_of: ['v1', 'v2'], description: 'Identifier to select the IMDS protocol version to use: `v1` or `v2`.' }],
  ['empty_arrays_mode', {
    type: 'string', required: true, default: 'legacy', one_of: ['legacy', 'correct'],
    description: 'An optional value that defines whether Kong should send empty arrays (returned by Lambda function) as `[]` arrays or `{}` objects in JSON responses. The value `legacy` means Kong will send empty arrays as `{}` objects in response',
  }],
], [keyAndSecret, proxyScheme]);
