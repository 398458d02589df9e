// ai-response-transformer: as Kong, the plugin fetches the upstream's answer itself during access, has an LLM
// transform its body with the configured prompt, and answers the client with the result (optionally reading
// status, headers and body from the LLM's JSON with parse_llm_response_json_instructions).
import { gunzipSync } from 'node:zlib';
import { undici } from '../../lazy-deps';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';
import { bail } from '../../llm/request';
import { introspect, prepareTransformer, type TransformerConf } from '../../llm/introspect';

interface Conf extends TransformerConf { readonly jsonInstructions: boolean }

/** Hop-by-hop and framing headers: recomputed for the answer the plugin sends. */
const DROPPED = new Set(['content-length', 'content-encoding', 'transfer-encoding', 'connection', 'keep-alive']);

export const handler: PluginHandler<Conf> = {
  name: 'ai-response-transformer',
  priority: 768,
  version: KONG_VERSION,
  prepare: (c, env) => ({ ...prepareTransformer(c, env.pluginId), jsonInstructions: c.parse_llm_response_json_instructions === true }),
  async access(kong, conf) {
    const upstream = await fetchUpstream(kong, conf);
    if ('error' in upstream) {
      kong.log.error(upstream.error);
      return bail(kong, 500, upstream.error);
    }
    const result = await introspect(kong, 'ai-response-transformer', conf, upstream.body);
    if ('error' in result) {
      kong.log.info(result.error);
      return bail(kong, 400, result.error);
    }
    const headers: Record<string, string> = { ...upstream.headers };
    let status = upstream.status;
    let body: unknown = result.text;
    if (conf.jsonInstructions) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(result.text);
      } catch (err) {
        return bail(kong, 500, `failed to parse JSON response instructions from AI backend: ${(err as Error).message}`);
      }
      if (parsed === null || typeof parsed !== 'object') return bail(kong, 500, 'failed to parse JSON response instructions from AI backend: input not table or string');
      const instructions = parsed as { headers?: Record<string, unknown>; body?: unknown; status?: unknown };
      if (instructions.headers && typeof instructions.headers === 'object') {
        for (const [k, v] of Object.entries(instructions.headers)) headers[k.toLowerCase()] = String(v);
      }
      body = instructions.body ?? instructions;
      status = typeof instructions.status === 'number' ? instructions.status : 200;
    }
    kong.response.exit(status, body, headers);
  },
};

/** The request as the upstream would have received it, sent to the service by the plugin (Kong's subrequest). */
async function fetchUpstream(kong: PluginContext, conf: Conf): Promise<{ status: number; headers: Record<string, string>; body: string } | { error: string }> {
  const svc = kong.service?.row;
  if (!svc) return { error: 'failed to connect to upstream: no service' };
  const scheme = svc.protocol === 'https' ? 'https' : 'http';
  const host = String(svc.host);
  const port = Number(svc.port);
  const query = new URLSearchParams();
  for (const [k, vs] of kong.request.getQuery()) for (const v of vs) query.append(k, v);
  const qs = query.toString();
  const url = `${scheme}://${host.includes(':') ? `[${host}]` : host}:${port}${kong.request.getPath()}${qs ? `?${qs}` : ''}`;
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries(kong.request.headers)) {
    if (v === undefined || k === 'transfer-encoding' || k === 'content-length' || k === 'host' || k === 'connection') continue;
    headers[k] = kong.request.getHeader(k) !== undefined && !Array.isArray(v) ? kong.request.getHeader(k)! : v;
  }
  headers.host = port === (scheme === 'https' ? 443 : 80) ? host : `${host}:${port}`;
  const raw = await kong.request.readBody();
  try {
    const res = await undici().request(url, {
      method: kong.request.method as 'GET', headers, body: raw.length > 0 && raw.length <= conf.maxBody ? raw : undefined,
      dispatcher: conf.dispatcher, headersTimeout: conf.timeoutMs, bodyTimeout: conf.timeoutMs,
    });
    let body = Buffer.from(await res.body.arrayBuffer());
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && !DROPPED.has(k)) out[k] = Array.isArray(v) ? v.join(', ') : v;
    if (/gzip/i.test(String(res.headers['content-encoding'] ?? ''))) body = gunzipSync(body);
    return { status: res.statusCode, headers: out, body: body.toString('utf8') };
  } catch (err) {
    return { error: `failed to connect to upstream: ${(err as Error).message}` };
  }
}
