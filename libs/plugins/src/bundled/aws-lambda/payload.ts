// The JSON the function receives (Kong's aws-lambda request-util.lua): the API Gateway proxy event with
// awsgateway_compatible; request_* fields with forward_request_*; else the query and body arguments merged.
import type { PluginContext } from '../../types';
import type { PluginRun } from '../../pipeline/plugin-run';
import { queryTable } from '../../lua/pdk-request';

export interface PayloadConf {
  readonly awsgatewayCompatible: boolean;
  readonly forwardMethod: boolean;
  readonly forwardUri: boolean;
  readonly forwardHeaders: boolean;
  readonly forwardBody: boolean;
  readonly base64EncodeBody: boolean;
}

// bodies Kong forwards as text even when it cannot parse them into arguments
const RAW_CONTENT_TYPES = new Set(['text/plain', 'text/html', 'application/xml', 'text/xml', 'application/soap+xml']);

export async function buildPayload(kong: PluginContext, conf: PayloadConf): Promise<string> {
  if (conf.awsgatewayCompatible) return JSON.stringify(await gatewayEvent(kong, conf));
  const req = kong.request;
  if (conf.forwardMethod || conf.forwardUri || conf.forwardHeaders || conf.forwardBody) {
    const out: Record<string, unknown> = {};
    if (conf.forwardMethod) out.request_method = req.method;
    if (conf.forwardHeaders) out.request_headers = req.headers;
    if (conf.forwardUri) {
      out.request_uri = req.rawQuery === '' ? req.rawPath : `${req.rawPath}?${req.rawQuery}`;
      out.request_uri_args = queryTable(req.getQuery());
    }
    if (conf.forwardBody) {
      const raw = await req.readBody();
      const type = req.getHeader('content-type');
      const args = bodyArgs(type, raw);
      let text = raw.toString('utf8');
      if (args === 'unsupported') {
        // an unknown body type: base64 it, as Kong does, so any bytes survive the JSON
        if (!RAW_CONTENT_TYPES.has(type ?? '') && conf.base64EncodeBody) {
          text = raw.toString('base64');
          out.request_body_base64 = true;
        }
      }
      out.request_body = text;
      if (args !== 'invalid') out.request_body_args = args === 'unsupported' ? {} : args;
    }
    return JSON.stringify(out);
  }
  // Kong's original payload: query arguments, overridden by the parsed body's
  const raw = await req.readBody();
  const args = bodyArgs(req.getHeader('content-type'), raw);
  return JSON.stringify({ ...queryTable(req.getQuery()), ...(typeof args === 'object' && !Array.isArray(args) ? args : {}) });
}

/** kong.request.get_body: JSON, urlencoded form or multipart form arguments; 'unsupported' for another (or no)
 *  content type, 'invalid' for a body its type cannot parse. */
function bodyArgs(type: string | undefined, raw: Buffer): Record<string, unknown> | unknown[] | 'unsupported' | 'invalid' {
  const t = (type ?? '').toLowerCase();
  if (t.includes('application/json')) {
    try {
      const v = JSON.parse(raw.toString('utf8')) as unknown;
      return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : 'invalid';
    } catch {
      return 'invalid';
    }
  }
  if (t.includes('application/x-www-form-urlencoded')) {
    const m = new Map<string, string[]>();
    for (const [k, v] of new URLSearchParams(raw.toString('utf8'))) m.set(k, [...(m.get(k) ?? []), v]);
    return queryTable(m);
  }
  return 'unsupported';
}

/** API Gateway's REST (payload 1.0) proxy event, as Kong's aws_serializer builds it. */
async function gatewayEvent(kong: PluginContext, conf: PayloadConf): Promise<Record<string, unknown>> {
  const req = kong.request;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value === undefined) continue;
    const list = Array.isArray(value) ? value : [value];
    headers[name] = list[0];
    multiValueHeaders[name] = list;
  }
  const queryStringParameters: Record<string, string> = {};
  const multiValueQueryStringParameters: Record<string, string[]> = {};
  for (const [name, values] of req.getQuery()) {
    queryStringParameters[name] = values[0];
    multiValueQueryStringParameters[name] = [...values];
  }
  const pathParameters: Record<string, string> = {};
  const captures = (kong as PluginRun).host?.uriCaptures;
  if (captures) for (const [name, value] of Object.entries(captures)) if (!/^\d+$/.test(name)) pathParameters[name] = value;
  const raw = await req.readBody();
  const encoded = raw.length > 0 && conf.base64EncodeBody;
  const path = req.getPath();
  const started = new Date(kong.timings.startedAt);
  const domainName = req.host.replace(/:\d+$/, '');
  return {
    version: '1.0',
    resource: matchedRoutePath(kong, req.rawPath),
    path,
    httpMethod: req.method,
    headers,
    multiValueHeaders,
    pathParameters,
    queryStringParameters,
    multiValueQueryStringParameters,
    body: encoded ? raw.toString('base64') : raw.toString('utf8'),
    isBase64Encoded: encoded,
    requestContext: {
      path,
      protocol: `HTTP/${req.httpVersion === '2.0' ? '2.0' : req.httpVersion}`,
      httpMethod: req.method,
      domainName,
      domainPrefix: domainName.split('.')[0],
      identity: { sourceIp: kong.client.ip, userAgent: headers['user-agent'] },
      requestId: kong.requestId,
      requestTime: clfTime(started),
      requestTimeEpoch: kong.timings.startedAt,
      resourcePath: path,
    },
  };
}

/** Kong's router_matches.uri: the route path that matched (the first one the request path starts with). */
function matchedRoutePath(kong: PluginContext, rawPath: string): string | undefined {
  const paths = kong.route?.row.paths as string[] | null | undefined;
  if (!paths) return undefined;
  for (const p of paths) {
    if (p.startsWith('~')) {
      try {
        if (new RegExp(`^${p.slice(1)}`).test(rawPath)) return p.slice(1);
      } catch { /* the router compiled it already */ }
    } else if (rawPath.startsWith(p)) return p;
  }
  return undefined;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number) => String(n).padStart(2, '0');

/** dd/MMM/yyyy:HH:mm:ss +0000 (Kong formats the start time in UTC). */
function clfTime(d: Date): string {
  return `${two(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} +0000`;
}
