// Reads and decodes request bodies the way Kong's Admin API before-filter does (kong-admin-api.md §2.1, §2.2).
// Runs before routing; parsed forms are tagged so the entity layer coerces them with the schema.
import type { Next as NextFunction, AdminRequest as Request, AdminResponse as Response } from './http-types';
import { badRequest, cannotParseJson, messageError, multipleContentTypes, tooManyArguments, unsupportedMediaType } from '@tollgate/errors';
import { decodeFormPairs } from './form-decode';
import { sendKongError } from './send-error';
import { nestsDeeperThan } from '@tollgate/declarative/nesting';
import { pathDecodes } from './url-check';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);
const MAX_ARGUMENTS = 1000;
interface MultipartParser {
  on(event: 'field', listener: (name: string, value: string) => void): void;
  on(event: 'file', listener: (name: string, stream: NodeJS.ReadableStream) => void): void;
  on(event: 'error' | 'close', listener: () => void): void;
  end(chunk: Buffer): void;
}
// busboy ships no type declarations; this is the part of its API we use
// eslint-disable-next-line @typescript-eslint/no-require-imports
const busboy = require('busboy') as (options: { headers: unknown; limits?: Record<string, number> }) => MultipartParser;

export const FORM_BODY = Symbol('form body');

export const requestTooLarge = () => messageError(413, 'Request size limit exceeded');

export function isFormBody(req: Request): boolean {
  return (req as unknown as Record<symbol, boolean>)[FORM_BODY] === true;
}

/** The whole body, bounded: Kong's 413 (declared or streamed past `limit`) rejects as a KongError. */
export function readRaw(req: Pick<Request, 'headers' | 'on' | 'removeAllListeners' | 'resume'>, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) {
      reject(requestTooLarge());
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(requestTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function parseMultipart(req: Request, raw: Buffer): Promise<Array<[string, string]>> {
  return new Promise((resolve, reject) => {
    const pairs: Array<[string, string]> = [];
    let parser: MultipartParser;
    try {
      parser = busboy({ headers: req.headers, limits: { fields: MAX_ARGUMENTS + 1, files: MAX_ARGUMENTS + 1 } });
    } catch {
      reject(messageError(400, 'Cannot parse multipart body'));
      return;
    }
    // busboy reports an empty `name=""` as undefined
    parser.on('field', (name, value) => pairs.push([name ?? '', value ?? '']));
    parser.on('file', (name, stream) => {
      const parts: Buffer[] = [];
      stream.on('data', (part: Buffer) => parts.push(part));
      stream.on('end', () => pairs.push([name ?? '', Buffer.concat(parts).toString('utf8')]));
    });
    parser.on('error', () => reject(messageError(400, 'Cannot parse multipart body')));
    parser.on('close', () => resolve(pairs));
    parser.end(raw);
  });
}

function countContentTypes(req: Request): number {
  let count = 0;
  for (let i = 0; i < req.rawHeaders.length; i += 2) if (req.rawHeaders[i].toLowerCase() === 'content-type') count++;
  return count;
}

async function decodeBody(req: Request, limit: number): Promise<unknown> {
  if (countContentTypes(req) > 1) throw multipleContentTypes();
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  const raw = await readRaw(req, limit);
  if (!type) {
    if (raw.length === 0) return {};
    throw unsupportedMediaType();
  }
  if (type.startsWith('application/json')) {
    const text = raw.toString('utf8');
    if (nestsDeeperThan(text)) throw cannotParseJson();
    try {
      return JSON.parse(text);
    } catch {
      throw cannotParseJson();
    }
  }
  let pairs: Array<[string, string]>;
  if (type.startsWith('application/x-www-form-urlencoded')) pairs = [...new URLSearchParams(raw.toString('utf8'))];
  else if (type.startsWith('multipart/form-data')) pairs = await parseMultipart(req, raw);
  else throw unsupportedMediaType();
  if (pairs.length > MAX_ARGUMENTS) throw tooManyArguments();
  (req as unknown as Record<symbol, boolean>)[FORM_BODY] = true;
  return decodeFormPairs(pairs);
}

/** Query arguments in the raw URL, counted the way nginx does (non-empty `&`-separated pieces). */
export function countQueryArguments(url: string): number {
  const start = url.indexOf('?');
  if (start < 0) return 0;
  let count = 0;
  let pieceStart = start + 1;
  for (let i = pieceStart; i <= url.length; i++) {
    if (i === url.length || url.charCodeAt(i) === 38 /* & */) {
      if (i > pieceStart) count++;
      pieceStart = i + 1;
    }
  }
  return count;
}

/**
 * Express middleware: sets req.body (JSON value or decoded form tree) for POST/PUT/PATCH; {} otherwise.
 * Also Kong's argument limit: more than 1000 query arguments is 400 before any handler runs.
 */
export function bodyReader(maxBodySize: number) {
  return (req: Request, res: Response, next: NextFunction): void => {
    if (!pathDecodes(req.url ?? '')) {
      sendKongError(res, req, badRequest('Bad request'));
      return;
    }
    if (countQueryArguments(req.url ?? '') > MAX_ARGUMENTS) {
      sendKongError(res, req, tooManyArguments());
      return;
    }
    if (!BODY_METHODS.has(req.method)) {
      req.body = {};
      next();
      return;
    }
    decodeBody(req, maxBodySize).then(
      (body) => {
        req.body = body;
        (req as unknown as { _body: boolean })._body = true;
        next();
      },
      (error) => {
        if ((error as { status?: number }).status === 413) res.setHeader('Connection', 'close');
        sendKongError(res, req, error);
      },
    );
  };
}
