// What every 4xx body must look like: Kong's `{message}`, or a DAO error `{code, name, message, fields|options}`.

const RAW_TEXT_BODIES = new Set(['Multiple Content-Type headers not allowed']);

/** undefined when the response is acceptable, else why not. */
export function kongShapeProblem(method: string, status: number, text: string): string | undefined {
  if (status >= 500) return `status ${status}`;
  if (status < 400) return undefined;
  if (method === 'HEAD') return text === '' ? undefined : 'HEAD with a body';
  if (status === 400 && RAW_TEXT_BODIES.has(text)) return undefined;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return 'body is not JSON';
  }
  if (!body || typeof body !== 'object' || Array.isArray(body)) return 'body is not an object';
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  if (typeof record.message !== 'string') return 'no string message';
  if (keys.length === 1) return undefined;
  if (typeof record.code !== 'number' || typeof record.name !== 'string') return `unexpected keys ${keys.join(',')}`;
  const extra = keys.filter((key) => !['code', 'message', 'name'].includes(key));
  if (extra.length > 1 || (extra.length === 1 && !['fields', 'options'].includes(extra[0]))) return `unexpected keys ${keys.join(',')}`;
  if (extra.length === 1 && (typeof record[extra[0]] !== 'object' || record[extra[0]] === null)) return `${extra[0]} is not an object`;
  return undefined;
}
