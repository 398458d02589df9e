// Writes a KongError to an express response; everything that is not a KongError becomes a logged 500 whose
// body never carries the internal message.
import type { AdminRequest as Request, AdminResponse as Response } from './http-types';
import { KongError, unexpectedError } from '@tollgate/errors';

export type ErrorLogger = (error: unknown, req: Request) => void;

export const defaultErrorLogger: ErrorLogger = (error, req) => {
  process.stderr.write(`[admin] ${req.method} ${req.originalUrl} failed: ${(error as Error)?.stack ?? String(error)}\n`);
};

export function toKongError(error: unknown): KongError | undefined {
  if (error instanceof KongError) return error;
  const candidate = error as { status?: unknown; body?: unknown; name?: string };
  if (candidate?.name === 'KongError' && typeof candidate.status === 'number') return error as KongError;
  return undefined;
}

export function sendKongError(res: Response, req: Request, error: unknown, log: ErrorLogger = defaultErrorLogger): void {
  let kong = toKongError(error);
  if (!kong) {
    log(error, req);
    kong = unexpectedError(error);
  }
  if (res.headersSent) {
    res.end();
    return;
  }
  res.statusCode = kong.status;
  if (kong.body === null || req.method === 'HEAD') {
    res.end();
    return;
  }
  res.setHeader('Content-Type', kong.contentType);
  res.end(typeof kong.body === 'string' ? kong.body : JSON.stringify(kong.body));
}
