// Reusable field definitions, like Kong's typedefs.lua. Entities spread these and add a description and example.
import { FieldDef } from '../types';
import {
  checkHeaderName, checkHeaderPair, checkHeaderToken, checkHeaderValue, checkHost, checkHostWithOptionalPort, checkIpOrCidr, checkRouteHost, checkRouterPath, checkSni,
  checkTag, checkUriPath, checkUtf8Name,
} from './strings';
import { MSG } from './messages';

const str = (check: (v: string) => string | undefined) => (value: unknown) =>
  typeof value === 'string' ? check(value) : undefined;

export const PROTOCOLS = ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp'] as const;
export const HTTP_PROTOCOLS = ['grpc', 'grpcs', 'http', 'https'] as const;

export const uuid: FieldDef = {
  type: 'string', uuid: true, auto: true,
  description: 'Unique identifier (UUID); generated when not given.', example: '9748f662-7711-4a90-8186-dc02f10eb0f5',
};

export const autoTimestampS: FieldDef = {
  type: 'integer', timestamp: 'seconds', auto: true,
  description: 'Unix epoch (seconds) of creation.', example: 1712345678,
};

export const autoUpdatedS: FieldDef = {
  ...autoTimestampS, description: 'Unix epoch (seconds) of the last update.', example: 1712345999,
};

export const autoTimestampMs: FieldDef = {
  type: 'number', timestamp: 'milliseconds', auto: true,
  description: 'Unix epoch in seconds with millisecond precision, of creation.', example: 1712345678.123,
};

export const utf8Name: FieldDef = {
  type: 'string', unique: true, custom: str(checkUtf8Name),
};

export const tag: FieldDef = { type: 'string', custom: str(checkTag) };

export const tags: FieldDef = {
  type: 'set', elements: tag,
  description: 'An optional set of strings for grouping and filtering.', example: ['user-level', 'low-priority'],
};

export const protocol: FieldDef = { type: 'string', one_of: PROTOCOLS };

export const host: FieldDef = { type: 'string', custom: str(checkHost) };
export const hostWithOptionalPort: FieldDef = { type: 'string', custom: str(checkHostWithOptionalPort) };
export const port: FieldDef = { type: 'integer', between: [0, 65535] };
export const path: FieldDef = { type: 'string', custom: str(checkUriPath) };

export const timeout: FieldDef = { type: 'integer', between: [1, 2147483646], default: 60000 };

export const headerName: FieldDef = { type: 'string', custom: str(checkHeaderName) };

// Plugin config strings that end up on the wire as headers: checked once here, so no plugin can be configured
// into a 500 on every request (or into response splitting).
export const headerValue: FieldDef = { type: 'string', custom: str(checkHeaderValue) };
export const headerToken: FieldDef = { type: 'string', custom: str(checkHeaderToken) };
export const headerPair: FieldDef = { type: 'string', custom: str(checkHeaderPair) };

export const sni: FieldDef = { type: 'string', custom: str(checkSni) };

export const routeHost: FieldDef = { type: 'string', custom: str(checkRouteHost) };
export const routerPath: FieldDef = { type: 'string', custom: str(checkRouterPath) };
export const ipOrCidr: FieldDef = { type: 'string', custom: str(checkIpOrCidr) };

/** routes.sources / destinations element: at least one of ip, port. */
export const ipPortRecord: FieldDef = {
  type: 'record',
  fields: [
    ['ip', { ...ipOrCidr, description: 'IP address or CIDR range.', example: '10.0.0.0/8' }],
    ['port', { ...port, description: 'TCP/UDP port.', example: 5432 }],
  ],
  entity_checks: [
    {
      fields: ['ip', 'port'],
      kongJson: { at_least_one_of: ['ip', 'port'] },
      check: (e) => (e.ip == null && e.port == null ? [{ message: MSG.atLeastOneOf(['ip', 'port']) }] : []),
    },
  ],
};

/** A foreign key to `reference`; in and out as `{id}`. */
export function foreign(reference: string, extra: Partial<FieldDef> = {}): FieldDef {
  return { type: 'foreign', reference, ...extra };
}
