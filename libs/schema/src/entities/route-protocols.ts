// The routes subschemas selected by `protocols` (http/https, stream, tls_passthrough, grpc/grpcs):
// which fields each forbids and which it needs at least one of, with Kong's messages.
import { EntityCheck } from '../types';
import { isEmptyValue } from '../validate/helpers';
import { routeRegexEngineError } from '../fields/strings';

type Entity = Record<string, unknown>;
type Issue = { field?: string; message: string };

const quoted = (list: readonly string[]) => list.map((f) => `'${f}'`).join(', ');
const isSet = (value: unknown) => value !== null && value !== undefined;

const HTTP_LABEL = "'http' or 'https'";
const STREAM_LABEL = "'tcp', 'tls', 'tls_passthrough' or 'udp'";
const GRPC_LABEL = "'grpc' or 'grpcs'";

function forbid(entity: Entity, fields: readonly string[], label: string, out: Issue[]): void {
  for (const field of fields) {
    if (isSet(entity[field])) out.push({ field, message: `cannot set '${field}' when 'protocols' is ${label}` });
  }
}

function needOne(entity: Entity, fields: readonly string[], label: string, out: Issue[]): void {
  if (fields.every((f) => isEmptyValue(entity[f]))) {
    out.push({ message: `must set one of ${quoted(fields)} when 'protocols' is ${label}` });
  }
}

export function routeProtocolIssues(entity: Entity): Issue[] {
  const protocols = (entity.protocols as string[] | null) ?? [];
  const has = (p: string) => protocols.includes(p);
  const out: Issue[] = [];
  if (has('http') || has('https')) {
    forbid(entity, ['sources', 'destinations'], HTTP_LABEL, out);
    if (has('https')) needOne(entity, ['methods', 'hosts', 'headers', 'paths', 'snis'], "'https'", out);
    else needOne(entity, ['methods', 'hosts', 'headers', 'paths'], "'http'", out);
  } else if (has('grpc') || has('grpcs')) {
    forbid(entity, ['methods', 'sources', 'destinations'], GRPC_LABEL, out);
    if (entity.strip_path === true) out.push({ field: 'strip_path', message: `cannot set 'strip_path' when 'protocols' is ${GRPC_LABEL}` });
    if (has('grpcs')) needOne(entity, ['hosts', 'headers', 'paths', 'snis'], "'grpcs'", out);
    else needOne(entity, ['hosts', 'headers', 'paths'], "'grpc'", out);
  } else if (has('tls_passthrough')) {
    forbid(entity, ['methods', 'hosts', 'paths', 'headers'], STREAM_LABEL, out);
    if (isEmptyValue(entity.snis)) out.push({ message: "must set snis when 'protocols' is 'tls_passthrough'" });
  } else if (protocols.length > 0) {
    forbid(entity, ['methods', 'hosts', 'paths', 'headers'], STREAM_LABEL, out);
    needOne(entity, ['sources', 'destinations', 'snis'], "'tcp', 'tls' or 'udp'", out);
  }
  return out;
}

const SUBSCHEMA_FIELDS = ['protocols', 'methods', 'hosts', 'headers', 'paths', 'snis', 'sources', 'destinations', 'strip_path'];

export const routeProtocolCheck: EntityCheck = {
  fields: SUBSCHEMA_FIELDS,
  kongJson: { custom_entity_check: { field_sources: SUBSCHEMA_FIELDS } },
  check: routeProtocolIssues,
};

const SNI_PROTOCOLS = ['grpcs', 'https', 'tls', 'tls_passthrough'];

export const routeSnisCheck: EntityCheck = {
  fields: ['protocols', 'snis'],
  kongJson: { conditional: { if_field: 'protocols', then_field: 'snis', then_match: { len_eq: 0 } } },
  check: (entity) => {
    const protocols = (entity.protocols as string[] | null) ?? [];
    if (protocols.some((p) => SNI_PROTOCOLS.includes(p)) || isEmptyValue(entity.snis)) return [];
    return [
      { message: "failed conditional validation given value of field 'protocols'" },
      { field: 'snis', message: "'snis' can only be set when 'protocols' is 'grpcs', 'https', 'tls' or 'tls_passthrough'" },
    ];
  },
};

const REGEX_FIELDS = ['paths', 'headers'];

/**
 * Kong 3.x (traditional_compatible) builds each route's ATC expression and compiles it with the Rust regex
 * crate: a regex PCRE accepted but Rust refuses (look-around, backreferences...) fails the whole route.
 */
export const routeRegexCheck: EntityCheck = {
  fields: REGEX_FIELDS,
  kongJson: { custom_entity_check: { field_sources: ['id', 'protocols', 'snis', 'sources', 'destinations', 'methods', 'hosts', 'paths', 'headers', 'expression', 'regex_priority', 'priority'], run_with_missing_fields: true } },
  check: (entity) => {
    const out: Issue[] = [];
    const seen = new Set<string>();
    const report = (regex: string) => {
      const message = routeRegexEngineError(regex);
      if (message && !seen.has(message)) {
        seen.add(message);
        out.push({ message });
      }
    };
    for (const path of (entity.paths as unknown[] | null) ?? []) if (typeof path === 'string' && path.startsWith('~')) report(path.slice(1));
    for (const values of Object.values((entity.headers as Record<string, unknown> | null) ?? {})) {
      for (const v of Array.isArray(values) ? values : []) if (typeof v === 'string' && v.startsWith('~*')) report(v.slice(2));
    }
    return out;
  },
};
