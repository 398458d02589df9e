// Turning Lambda's Invoke answer into the client's response (Kong's aws-lambda handler and request-util.lua).

export interface ProxyResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[]>;
  readonly body: Buffer;
}

/** The API Gateway proxy-integration result `{statusCode, headers, multiValueHeaders, body, isBase64Encoded}`;
 *  a string saying what is wrong when it is not one. */
export function proxyResponse(content: unknown): ProxyResponse | string {
  let doc = content;
  if (typeof doc === 'string') {
    try {
      doc = JSON.parse(doc);
    } catch (err) {
      return (err as Error).message;
    }
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) return 'proxy response must be json format';
  const r = doc as Record<string, unknown>;
  const status = typeof r.statusCode === 'string' ? Number(r.statusCode) : r.statusCode;
  if (typeof status !== 'number' || !Number.isFinite(status) || status < 100 || status > 599) return 'statusCode validation failed';
  if (r.headers !== undefined && r.headers !== null && (typeof r.headers !== 'object' || Array.isArray(r.headers))) return 'headers must be a table';
  if (r.body !== undefined && r.body !== null && typeof r.body !== 'string') return 'body must be a string';
  if (r.isBase64Encoded !== undefined && r.isBase64Encoded !== null && typeof r.isBase64Encoded !== 'boolean') return 'isBase64Encoded must be a boolean';
  const headers: Record<string, string | string[]> = {};
  for (const [k, v] of Object.entries((r.headers as Record<string, unknown> | null) ?? {})) headers[k] = String(v);
  const multi = r.multiValueHeaders;
  if (multi && typeof multi === 'object') {
    for (const [k, v] of Object.entries(multi as Record<string, unknown>)) headers[k] = Array.isArray(v) ? v.map(String) : String(v);
  }
  const text = (r.body as string | null | undefined) ?? '';
  return { status: Math.trunc(status), headers, body: r.isBase64Encoded === true ? Buffer.from(text, 'base64') : Buffer.from(text) };
}

/** empty_arrays_mode = legacy: Kong re-encodes the function's JSON with cjson, which writes empty arrays as {}. */
export function legacyEmptyArrays(body: Buffer): Buffer {
  let doc: unknown;
  try {
    doc = JSON.parse(body.toString('utf8'));
  } catch {
    return body;
  }
  return Buffer.from(JSON.stringify(doc, (_k, v: unknown) => (Array.isArray(v) && v.length === 0 ? {} : v)));
}
