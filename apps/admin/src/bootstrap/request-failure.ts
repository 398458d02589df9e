// The Admin API's last line of defence: whatever escapes express and Nest (a middleware that throws, finalhandler,
// a handler on a half-built request) ends here, is logged as one line, and answers Kong's 500 for that request only.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { notFound } from '@tollgate/errors';
import { sendKongError, type ErrorLogger } from '../common';
import type { AdminRequest } from '../common/http-types';

export interface LineLogger {
  error(obj: unknown, msg?: string): void;
}

export type RequestFailure = (req: IncomingMessage, res: ServerResponse, err: unknown) => void;

/** One JSON line per failed request (the stack as a field), for Nest's exception filter and the last resort alike. */
export function lineErrorLogger(logger: LineLogger): ErrorLogger {
  return (error, req) =>
    logger.error({ err: (error as Error)?.stack ?? String(error), method: req.method, url: req.originalUrl ?? req.url }, 'Admin API request failed');
}

/** `err` null: nothing matched the request at all (express's final 404). */
export function requestFailureHandler(logger: LineLogger): RequestFailure {
  const log = lineErrorLogger(logger);
  return (req, res, err) => {
    try {
      sendKongError(res, req as AdminRequest, err === null || err === undefined ? notFound() : err, log);
    } catch (second) {
      logger.error({ err: (second as Error)?.stack ?? String(second) }, 'Admin API error response failed; connection closed');
      res.destroy();
    }
  };
}
