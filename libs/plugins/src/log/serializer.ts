// Kong's basic log serializer: the JSON document http-log and file-log send for each request.
import type { PluginContext } from '../types';

export function serializeLog(kong: PluginContext): Record<string, unknown> {
  const req = kong.request;
  const res = kong.response;
  const t = kong.timings;
  // Kong logs the client's request (ngx.var.request_uri, kong.request.get_query), not what plugins sent upstream:
  // a query parameter a plugin added (ai-proxy's auth) never reaches the logs
  const rawQuery = req.rawQuery;
  const query = new Map<string, string[]>();
  for (const [k, v] of new URLSearchParams(rawQuery)) {
    const list = query.get(k);
    if (list) list.push(v);
    else query.set(k, [v]);
  }
  const out: Record<string, unknown> = {
    request: {
      method: req.method,
      uri: req.rawPath + (rawQuery ? '?' + rawQuery : ''),
      url: `${req.scheme}://${req.host}${req.rawPath}${rawQuery ? '?' + rawQuery : ''}`,
      querystring: Object.fromEntries([...query].map(([k, vs]) => [k, vs.length === 1 ? vs[0] : vs])),
      headers: redact(req.headers as Record<string, unknown>),
      size: t.requestSize,
    },
    upstream_uri: req.getPath(),
    response: { status: res.getStatus(), size: t.responseSize, headers: responseHeaders(kong) },
    latencies: { ...logLatencies(kong), receive: 0 },
    tries: [],
    client_ip: kong.client.ip,
    started_at: t.startedAt,
    source: res.exited ? 'kong' : 'upstream',
    workspace: 'default',
    route: kong.route?.row ?? null,
    service: kong.service?.row ?? null,
  };
  if (kong.client.consumer) out.consumer = kong.client.consumer;
  if (kong.client.credential) out.authenticated_entity = { id: kong.client.credential.id, consumer_id: kong.client.consumer?.id ?? null };
  const extra = (kong as { serializeValues?: Map<string, unknown> | null }).serializeValues;
  if (extra) for (const [key, value] of extra) setPath(out, key, value);
  return out;
}

/** Kong's `latencies` (ms): kong = time spent in the gateway, proxy = the upstream's (-1 when none answered). */
export function logLatencies(kong: PluginContext): { kong: number; proxy: number; request: number } {
  const t = kong.timings;
  return { kong: t.proxyLatency ?? t.totalLatency ?? 0, proxy: t.upstreamLatency ?? -1, request: t.totalLatency ?? 0 };
}

/** kong.log.set_serialize_value: `a.b.c` sets a nested field (intermediate tables created), nil removes it. */
function setPath(doc: Record<string, unknown>, key: string, value: unknown): void {
  const parts = key.split('.');
  let node = doc;
  for (const part of parts.slice(0, -1)) {
    const next = node[part];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[part] = {};
    else if (next === (node as Record<string, unknown>)[part]) node[part] = { ...(next as Record<string, unknown>) };
    node = node[part] as Record<string, unknown>;
  }
  const last = parts[parts.length - 1];
  if (value === null) delete node[last];
  else node[last] = value;
}

/** Kong hides credentials sent in the request headers. */
function redact(headers: Record<string, unknown>): Record<string, unknown> {
  if (headers.authorization === undefined && headers['proxy-authorization'] === undefined) return headers;
  const copy = { ...headers };
  if (copy.authorization !== undefined) copy.authorization = 'REDACTED';
  if (copy['proxy-authorization'] !== undefined) copy['proxy-authorization'] = 'REDACTED';
  return copy;
}

function responseHeaders(kong: PluginContext): Record<string, unknown> {
  const live = (kong.response as unknown as { live: Record<string, unknown> | null }).live;
  return live ? { ...live } : {};
}

/** kong.log.set_serialize_value for TypeScript plugins: `key` (dotted) is merged into this request's log document. */
export function setSerializeValue(kong: PluginContext, key: string, value: unknown): void {
  const run = kong as { serializeValues?: Map<string, unknown> | null };
  (run.serializeValues ??= new Map()).set(key, value);
}

/** The values plugins set under `prefix.` (e.g. `ai`), as the nested document the serializer would produce. */
export function serializedSection(kong: PluginContext, prefix: string): Record<string, unknown> | undefined {
  const extra = (kong as { serializeValues?: Map<string, unknown> | null }).serializeValues;
  if (!extra) return undefined;
  let doc: Record<string, unknown> | undefined;
  for (const [key, value] of extra) {
    if (!key.startsWith(prefix + '.')) continue;
    doc ??= {};
    setPath(doc, key.slice(prefix.length + 1), value);
  }
  return doc;
}
