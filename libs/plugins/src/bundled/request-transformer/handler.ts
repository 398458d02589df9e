// request-transformer: remove, rename, replace, add, append (in that order) on headers, query string and body.
// Values may be Kong templates (`$(headers.x)`, any Lua expression): rendered per request by templates.ts.
import { nestsDeeperThan } from '@tollgate/declarative/nesting';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { names, pairs } from '../transform-lists';
import { compileValue, TemplateScope, type Value } from './templates';

type Pair = readonly [string, Value];
interface Ops { remove: string[]; rename: Pair[]; replace: Pair[]; add: Pair[]; append: Pair[] }
interface Conf {
  id: string;
  method: string | null;
  uri: Value | null;
  headers: Ops;
  query: Ops;
  body: Ops;
  touchesBody: boolean;
  /** Some value is a template: the run needs a TemplateScope. */
  templated: boolean;
}

const empty = (o: Ops) => !o.remove.length && !o.rename.length && !o.replace.length && !o.add.length && !o.append.length;

export const handler: PluginHandler<Conf> = {
  name: 'request-transformer',
  priority: 801,
  version: KONG_VERSION,
  prepare: (config, env) => {
    const c = config as Record<string, Record<string, unknown>>;
    const conf = { id: env.pluginId, templated: false } as Conf;
    const value = (v: string): Value => {
      const compiled = compileValue(v, conf);
      if (typeof compiled !== 'string') conf.templated = true;
      return compiled;
    };
    const ops = (part: string): Ops => ({
      remove: names(c.remove?.[part]).map((n) => (part === 'headers' ? n.toLowerCase() : n)),
      rename: pairs(c.rename?.[part]).map(([k, v]) => [k, value(v)] as Pair),
      replace: pairs(c.replace?.[part]).map(([k, v]) => [k, value(v)] as Pair),
      add: pairs(c.add?.[part]).map(([k, v]) => [k, value(v)] as Pair),
      append: pairs(c.append?.[part]).map(([k, v]) => [k, value(v)] as Pair),
    });
    conf.method = (config.http_method as string | null) ?? null;
    const uri = (c.replace?.uri as string | null) ?? null;
    conf.uri = uri === null ? null : value(uri);
    conf.headers = ops('headers');
    conf.query = ops('querystring');
    conf.body = ops('body');
    conf.touchesBody = !empty(conf.body);
    return conf;
  },
  access(kong, conf) {
    const scope = conf.templated ? new TemplateScope(kong, conf.id) : null;
    const val = scope === null ? (v: Value) => v as string : (v: Value) => scope.render(v);
    if (conf.method) kong.request.setMethod(conf.method);
    if (conf.uri !== null) kong.request.setPath(val(conf.uri));
    transformHeaders(kong, conf.headers, val);
    transformQuery(kong, conf.query, val);
    if (!conf.touchesBody) return;
    // the body's templates see the request as the plugin found it (the scope's snapshot), like the other parts
    return kong.request.readBody().then((raw) => transformBody(kong, conf.body, raw, val));
  },
};

type Render = (v: Value) => string;

function transformHeaders(kong: PluginContext, o: Ops, val: Render): void {
  const req = kong.request;
  for (const name of o.remove) req.clearHeader(name);
  for (const [from, to] of o.rename) {
    const v = req.getHeader(from.toLowerCase());
    if (v !== undefined) {
      req.clearHeader(from.toLowerCase());
      req.setHeader(val(to).toLowerCase(), v);
    }
  }
  for (const [name, value] of o.replace) if (req.getHeader(name.toLowerCase()) !== undefined) req.setHeader(name.toLowerCase(), val(value));
  for (const [name, value] of o.add) if (req.getHeader(name.toLowerCase()) === undefined) req.setHeader(name.toLowerCase(), val(value));
  for (const [name, value] of o.append) req.addHeader(name.toLowerCase(), val(value));
}

function transformQuery(kong: PluginContext, o: Ops, val: Render): void {
  if (empty(o)) return;
  const q = new Map<string, string[]>([...kong.request.getQuery()].map(([k, v]) => [k, [...v]]));
  applyToMap(q, o, val);
  kong.request.setQuery(q);
}

function applyToMap(m: Map<string, string[]>, o: Ops, val: Render): void {
  for (const name of o.remove) m.delete(name);
  for (const [from, to] of o.rename) {
    const v = m.get(from);
    if (v) {
      m.delete(from);
      m.set(val(to), v);
    }
  }
  for (const [name, value] of o.replace) if (m.has(name)) m.set(name, [val(value)]);
  for (const [name, value] of o.add) if (!m.has(name)) m.set(name, [val(value)]);
  for (const [name, value] of o.append) m.set(name, [...(m.get(name) ?? []), val(value)]);
}

function transformBody(kong: PluginContext, o: Ops, raw: Buffer, val: Render): void {
  const type = kong.request.getHeader('content-type') ?? '';
  if (type.includes('application/json')) {
    let doc: Record<string, unknown>;
    const text = raw.toString();
    // cjson refuses to decode past 1000 levels, and Kong then forwards the body as it came
    if (nestsDeeperThan(text)) return;
    try {
      doc = raw.length ? JSON.parse(text) : {};
    } catch {
      return;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return;
    const m = new Map<string, string[]>(Object.entries(doc).map(([k, v]) => [k, [v as string]]));
    const appended = new Set(o.append.map(([n]) => n));
    applyToMap(m, o, val);
    const out: Record<string, unknown> = {};
    for (const [k, v] of m) out[k] = appended.has(k) && v.length > 1 ? v : v[0];
    const body = JSON.stringify(out);
    kong.request.setBody(body);
    kong.request.setHeader('content-length', String(Buffer.byteLength(body)));
  } else if (type.includes('application/x-www-form-urlencoded')) {
    const m = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(raw.toString())) m.set(k, [...(m.get(k) ?? []), v]);
    applyToMap(m, o, val);
    const params = new URLSearchParams();
    for (const [k, vs] of m) for (const v of vs) params.append(k, v);
    kong.request.setBody(params.toString());
  }
}
