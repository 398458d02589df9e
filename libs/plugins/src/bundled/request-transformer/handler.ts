// request-transformer: remove, rename, replace, add, append (in that order) on headers, query string and body.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { names, pairs, type Pair } from '../transform-lists';

interface Ops { remove: string[]; rename: Pair[]; replace: Pair[]; add: Pair[]; append: Pair[] }
interface Conf { method: string | null; uri: string | null; headers: Ops; query: Ops; body: Ops; touchesBody: boolean }

const ops = (c: Record<string, Record<string, unknown>>, part: string): Ops => ({
  remove: names(c.remove?.[part]).map((n) => (part === 'headers' ? n.toLowerCase() : n)),
  rename: pairs(c.rename?.[part]),
  replace: pairs(c.replace?.[part]),
  add: pairs(c.add?.[part]),
  append: pairs(c.append?.[part]),
});
const empty = (o: Ops) => !o.remove.length && !o.rename.length && !o.replace.length && !o.add.length && !o.append.length;

export const handler: PluginHandler<Conf> = {
  name: 'request-transformer',
  priority: 801,
  version: KONG_VERSION,
  prepare: (config) => {
    const c = config as Record<string, Record<string, unknown>>;
    const body = ops(c, 'body');
    return {
      method: (config.http_method as string | null) ?? null,
      uri: ((c.replace?.uri as string | null) ?? null),
      headers: ops(c, 'headers'),
      query: ops(c, 'querystring'),
      body,
      touchesBody: !empty(body),
    };
  },
  access(kong, conf) {
    if (conf.method) kong.request.setMethod(conf.method);
    if (conf.uri) kong.request.setPath(conf.uri);
    transformHeaders(kong, conf.headers);
    transformQuery(kong, conf.query);
    if (!conf.touchesBody) return;
    return kong.request.readBody().then((raw) => transformBody(kong, conf.body, raw));
  },
};

function transformHeaders(kong: PluginContext, o: Ops): void {
  const req = kong.request;
  for (const name of o.remove) req.clearHeader(name);
  for (const [from, to] of o.rename) {
    const v = req.getHeader(from.toLowerCase());
    if (v !== undefined) {
      req.clearHeader(from.toLowerCase());
      req.setHeader(to.toLowerCase(), v);
    }
  }
  for (const [name, value] of o.replace) if (req.getHeader(name.toLowerCase()) !== undefined) req.setHeader(name.toLowerCase(), value);
  for (const [name, value] of o.add) if (req.getHeader(name.toLowerCase()) === undefined) req.setHeader(name.toLowerCase(), value);
  for (const [name, value] of o.append) req.addHeader(name.toLowerCase(), value);
}

function transformQuery(kong: PluginContext, o: Ops): void {
  if (empty(o)) return;
  const q = new Map<string, string[]>([...kong.request.getQuery()].map(([k, v]) => [k, [...v]]));
  applyToMap(q, o);
  kong.request.setQuery(q);
}

function applyToMap(m: Map<string, string[]>, o: Ops): void {
  for (const name of o.remove) m.delete(name);
  for (const [from, to] of o.rename) {
    const v = m.get(from);
    if (v) {
      m.delete(from);
      m.set(to, v);
    }
  }
  for (const [name, value] of o.replace) if (m.has(name)) m.set(name, [value]);
  for (const [name, value] of o.add) if (!m.has(name)) m.set(name, [value]);
  for (const [name, value] of o.append) m.set(name, [...(m.get(name) ?? []), value]);
}

function transformBody(kong: PluginContext, o: Ops, raw: Buffer): void {
  const type = kong.request.getHeader('content-type') ?? '';
  if (type.includes('application/json')) {
    let doc: Record<string, unknown>;
    try {
      doc = raw.length ? JSON.parse(raw.toString()) : {};
    } catch {
      return;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return;
    const m = new Map<string, string[]>(Object.entries(doc).map(([k, v]) => [k, [v as string]]));
    const appended = new Set(o.append.map(([n]) => n));
    applyToMap(m, o);
    const out: Record<string, unknown> = {};
    for (const [k, v] of m) out[k] = appended.has(k) && v.length > 1 ? v : v[0];
    kong.request.setBody(JSON.stringify(out));
    kong.request.setHeader('content-length', String(Buffer.byteLength(JSON.stringify(out))));
  } else if (type.includes('application/x-www-form-urlencoded')) {
    const m = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(raw.toString())) m.set(k, [...(m.get(k) ?? []), v]);
    applyToMap(m, o);
    const params = new URLSearchParams();
    for (const [k, vs] of m) for (const v of vs) params.append(k, v);
    kong.request.setBody(params.toString());
  }
}
