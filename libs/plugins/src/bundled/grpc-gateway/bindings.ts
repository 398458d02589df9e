// The google.api.http bindings of a .proto file, compiled once per configuration: for each method its own rule
// and its additional_bindings (one level, as Kong's), each an HTTP method and a path template turned into a
// regex. Template syntax (google/api/http.proto): `{name}` is one segment, `{name=pattern}` a pattern where
// `*` is one segment and `**` any number of them.
import type { PluginLogger } from '../../types';
import type { ProtoFile, ProtoMethod } from '../../grpc/proto-file';

export interface Binding {
  readonly regex: RegExp;
  /** Field paths of the template's variables, in capture order. */
  readonly varnames: readonly string[];
  readonly method: ProtoMethod;
  /** The rule's `body`: "*", a field name, or undefined (query arguments fill the message instead). */
  readonly body: string | undefined;
}

const HTTP_METHODS = ['get', 'post', 'put', 'patch', 'delete'];
const VARIABLE = /\{([-_.~0-9a-zA-Z]+)=?((?:(?:\*|\*\*|[-_.~0-9a-zA-Z])\/?)+)?\}/g;

export function compileBindings(proto: ProtoFile, log: PluginLogger): Map<string, Binding[]> {
  const out = new Map<string, Binding[]>();
  for (const method of proto.methods) {
    const rule = method.http;
    if (rule === undefined) continue;
    const extra = rule.additional_bindings;
    const rules = [rule, ...(Array.isArray(extra) ? extra : extra !== undefined ? [extra] : [])] as Array<Record<string, unknown>>;
    for (const r of rules) {
      if (typeof r !== 'object' || r === null) continue;
      for (const verb of HTTP_METHODS) {
        const template = r[verb];
        if (typeof template !== 'string') continue;
        const compiled = compileTemplate(template);
        if (compiled === null) {
          log.error(`grpc-gateway: cannot parse the path template ${template} of ${method.path}`);
          continue;
        }
        const list = out.get(verb) ?? [];
        list.push({ ...compiled, method, body: typeof r.body === 'string' ? r.body : undefined });
        out.set(verb, list);
      }
    }
  }
  return out;
}

export function compileTemplate(template: string): { regex: RegExp; varnames: string[] } | null {
  const varnames: string[] = [];
  let source = '^';
  let last = 0;
  for (const m of template.matchAll(VARIABLE)) {
    source += escape(template.slice(last, m.index));
    varnames.push(m[1]);
    const pattern = m[2];
    source += pattern === undefined || pattern === '*' ? '([^/]+)' : `(${patternSource(pattern)})`;
    last = m.index! + m[0].length;
  }
  source += `${escape(template.slice(last))}$`;
  try {
    return { regex: new RegExp(source), varnames };
  } catch {
    return null;
  }
}

function patternSource(pattern: string): string {
  return pattern.split(/(\*\*|\*)/).map((part) => (part === '**' ? '.+' : part === '*' ? '[^/]+' : escape(part))).join('');
}

const escape = (literal: string): string => literal.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
