// response-transformer: headers in header_filter; JSON body keys in body_filter (only then is the body buffered).
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { names, pairs, type Pair } from '../transform-lists';

interface Typed { name: string; value: unknown }
interface Conf {
  headers: { remove: string[]; rename: Pair[]; replace: Pair[]; add: Pair[]; append: Pair[] };
  json: { remove: string[]; rename: Pair[]; replace: Typed[]; add: Typed[]; append: Typed[] };
  hasJson: boolean;
}

type Obj = Record<string, Record<string, unknown>>;

const JSON_BODY = 'response-transformer.json_body';

function typed(list: unknown, types: unknown): Typed[] {
  const t = (types as string[] | null) ?? [];
  return pairs(list).map(([name, raw], i) => {
    const kind = t[i] ?? 'string';
    let value: unknown = raw;
    if (kind === 'number') value = Number(raw);
    else if (kind === 'boolean') value = raw === 'true';
    return { name, value };
  });
}

export const handler: PluginHandler<Conf> = {
  name: 'response-transformer',
  priority: 800,
  version: KONG_VERSION,
  prepare: (config) => {
    const c = config as Obj;
    const json = {
      remove: names(c.remove?.json),
      rename: pairs(c.rename?.json),
      replace: typed(c.replace?.json, c.replace?.json_types),
      add: typed(c.add?.json, c.add?.json_types),
      append: typed(c.append?.json, c.append?.json_types),
    };
    return {
      headers: {
        remove: names(c.remove?.headers).map((n) => n.toLowerCase()),
        rename: pairs(c.rename?.headers).map(([a, b]) => [a.toLowerCase(), b.toLowerCase()] as Pair),
        replace: pairs(c.replace?.headers).map(([a, b]) => [a.toLowerCase(), b] as Pair),
        add: pairs(c.add?.headers).map(([a, b]) => [a.toLowerCase(), b] as Pair),
        append: pairs(c.append?.headers).map(([a, b]) => [a.toLowerCase(), b] as Pair),
      },
      json,
      hasJson: Object.values(json).some((l) => l.length > 0),
    };
  },
  buffersBody: (conf) => conf.hasJson,
  header_filter(kong, conf) {
    const res = kong.response;
    // decided on the upstream's Content-Type, before a header rule may rename or drop it
    if (conf.hasJson && isJson(kong)) {
      kong.ctx[JSON_BODY] = true;
      res.clearHeader('content-length');
    }
    const h = conf.headers;
    for (const name of h.remove) res.clearHeader(name);
    for (const [from, to] of h.rename) {
      const v = res.getHeader(from);
      if (v !== undefined) {
        res.clearHeader(from);
        res.setHeader(to, v);
      }
    }
    for (const [name, value] of h.replace) if (res.getHeader(name) !== undefined) res.setHeader(name, value);
    for (const [name, value] of h.add) if (res.getHeader(name) === undefined) res.setHeader(name, value);
    for (const [name, value] of h.append) res.addHeader(name, value);
  },
  body_filter(kong, conf) {
    if (kong.ctx[JSON_BODY] !== true) return;
    const body = kong.response.getBody();
    if (!body) return;
    let doc: Record<string, unknown>;
    try {
      doc = JSON.parse(body.toString());
    } catch {
      return;
    }
    if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return;
    const j = conf.json;
    for (const name of j.remove) delete doc[name];
    for (const [from, to] of j.rename) {
      if (from in doc) {
        doc[to] = doc[from];
        delete doc[from];
      }
    }
    for (const { name, value } of j.replace) if (name in doc) doc[name] = value;
    for (const { name, value } of j.add) if (!(name in doc)) doc[name] = value;
    for (const { name, value } of j.append) {
      const cur = doc[name];
      doc[name] = cur === undefined ? [value] : Array.isArray(cur) ? [...cur, value] : [cur, value];
    }
    kong.response.setBody(JSON.stringify(doc));
  },
};

function isJson(kong: PluginContext): boolean {
  return (kong.response.getHeader('content-type') ?? '').includes('application/json');
}
