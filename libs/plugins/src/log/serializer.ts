// Kong's basic log serializer: the JSON document http-log and file-log send for each request.
import type { PluginContext } from '../types';

export function serializeLog(kong: PluginContext): Record<string, unknown> {
  const req = kong.request;
  const res = kong.response;
  const t = kong.timings;
  const query = req.getQuery();
  const rawQuery = new URLSearchParams([...query].flatMap(([k, vs]) => vs.map((v) => [k, v] as [string, string]))).toString();
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
    latencies: { kong: t.proxyLatency ?? t.totalLatency ?? 0, proxy: t.upstreamLatency ?? -1, request: t.totalLatency ?? 0, receive: 0 },
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
  return out;
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
