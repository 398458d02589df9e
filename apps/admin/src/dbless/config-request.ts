// What `POST /config` accepts (kong-admin-api.md §8.2): a JSON table with `_format_version`, a `config`
// parameter holding YAML/JSON text (JSON key or form field), or a raw YAML/JSON body. Options come from the
// query string or the body parameters.
import type { IncomingMessage } from 'node:http';
import { isKongError, messageError, type KongError } from '@tollgate/errors';
import { readRaw } from '../common/body-reader';
import type { ConfigInput, LoadOptions } from './dbless-config';

export type ConfigRequest = { readonly ok: true; readonly input: ConfigInput; readonly options: LoadOptions } | { readonly ok: false; readonly error: KongError };

const TRUTHY = new Set(['true', '1', 'on', 'yes']);

export const expectedDeclarative = () => messageError(400, 'expected a declarative configuration');


interface MultipartParser {
  on(event: 'field', listener: (name: string, value: string) => void): void;
  on(event: 'file', listener: (name: string, stream: NodeJS.ReadableStream) => void): void;
  on(event: 'error' | 'close', listener: () => void): void;
  end(chunk: Buffer): void;
}
// busboy ships no type declarations; this is the part of its API we use
// eslint-disable-next-line @typescript-eslint/no-require-imports
const busboy = require('busboy') as (options: { headers: unknown }) => MultipartParser;

/** Multipart fields (the `config` part may be a file upload); null when the body is not valid multipart. */
function multipartParams(req: IncomingMessage, raw: Buffer): Promise<Map<string, string> | null> {
  return new Promise((resolve) => {
    const params = new Map<string, string>();
    let parser: MultipartParser;
    try {
      parser = busboy({ headers: req.headers });
    } catch {
      resolve(null);
      return;
    }
    parser.on('field', (name, value) => params.set(name, value));
    parser.on('file', (name, stream) => {
      const parts: Buffer[] = [];
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => params.set(name, Buffer.concat(parts).toString('utf8')));
    });
    parser.on('error', () => resolve(null));
    parser.on('close', () => resolve(params));
    parser.end(raw);
  });
}

async function formParams(req: IncomingMessage, type: string, raw: Buffer): Promise<Map<string, string> | null> {
  if (type.startsWith('application/x-www-form-urlencoded')) return new Map(new URLSearchParams(raw.toString('utf8')));
  if (type.startsWith('multipart/form-data')) return (await multipartParams(req, raw)) ?? new Map();
  return null;
}

/** Decodes the request into a config input and its options; `url` is the request's parsed URL. */
export async function decodeConfigRequest(req: IncomingMessage, url: URL, maxBodySize: number): Promise<ConfigRequest> {
  let raw: Buffer;
  try {
    raw = await readRaw(req as never, maxBodySize);
  } catch (err) {
    if (isKongError(err)) return { ok: false, error: err }; // 413, as on every Admin API body
    throw err;
  }
  const type = String(req.headers['content-type'] ?? '').toLowerCase();
  const params = new Map<string, unknown>(url.searchParams);
  let input: ConfigInput | null = null;

  const form = await formParams(req, type, raw);
  if (form) {
    for (const [key, value] of form) params.set(key, value);
    const config = form.get('config');
    if (config) input = { text: config };
  } else if (raw.length > 0) {
    const text = raw.toString('utf8');
    let json: unknown;
    if (type.startsWith('application/json') || text.trimStart().startsWith('{')) {
      try {
        json = JSON.parse(text);
      } catch {
        json = undefined; // not JSON after all: the declarative parser reports it with line and column
      }
    }
    if (json && typeof json === 'object' && !Array.isArray(json)) {
      const body = json as Record<string, unknown>;
      for (const key of ['check_hash', 'flatten_errors']) if (body[key] !== undefined && !params.has(key)) params.set(key, body[key]);
      if (body._format_version !== undefined) {
        const { check_hash: _c, flatten_errors: _f, ...table } = body;
        input = { table };
      } else if (typeof body.config === 'string') input = { text: body.config };
      else if (body.config && typeof body.config === 'object') input = { table: body.config };
    }
    input ??= { text };
  }
  if (!input) return { ok: false, error: expectedDeclarative() };
  const flag = (key: string) => String(params.get(key) ?? '').toLowerCase();
  return { ok: true, input, options: { checkHash: flag('check_hash') === '1', flattenErrors: TRUTHY.has(flag('flatten_errors')) } };
}
