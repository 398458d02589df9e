// Maps every error to Kong's status and body. Nest's "no route" NotFoundException becomes 404, or 405 when the
// path exists with other methods; OPTIONS on a known path is answered here with Kong's 204 + Allow.
import { STATUS_CODES } from 'node:http';
import { Catch, HttpException, NotFoundException, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import type { AdminRequest as Request, AdminResponse as Response } from './http-types';
import { messageError, methodNotAllowed, notFound } from '@tollgate/errors';
import { allowedMethods } from './route-table';
import { sendKongError, toKongError, type ErrorLogger } from './send-error';

/**
 * Client errors raised by express itself (e.g. a parameter it cannot decode) carry an `expose`d 4xx status;
 * they keep that status with the generic reason phrase, never their internal message.
 */
function exposedClientError(error: unknown) {
  const candidate = error as { status?: unknown; expose?: unknown };
  const status = typeof candidate?.status === 'number' ? candidate.status : 0;
  if (candidate?.expose !== true || status < 400 || status > 499) return undefined;
  return messageError(status, STATUS_CODES[status] ?? 'Bad request');
}

function httpExceptionToKong(error: HttpException) {
  const status = error.getStatus();
  if (status === 413) return messageError(413, 'Request size limit exceeded');
  if (status === 404) return notFound();
  if (status === 405) return methodNotAllowed();
  return undefined;
}

@Catch()
export class AdminExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly app: INestApplication,
    private readonly log?: ErrorLogger,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const req = http.getRequest<Request>();
    const res = http.getResponse<Response>();
    if (error instanceof NotFoundException && !toKongError(error)) {
      this.noRoute(req, res);
      return;
    }
    const mapped = toKongError(error) ?? (error instanceof HttpException ? httpExceptionToKong(error) : exposedClientError(error));
    sendKongError(res, req, mapped ?? error, this.log);
  }

  private noRoute(req: Request, res: Response): void {
    const methods = allowedMethods(this.app, req.path);
    if (methods.length === 0) {
      sendKongError(res, req, notFound());
      return;
    }
    if (req.method === 'OPTIONS') {
      const allow = methods.join(', ');
      res.setHeader('Allow', allow);
      res.setHeader('Access-Control-Allow-Methods', allow);
      res.setHeader('Access-Control-Allow-Headers', req.headers['access-control-request-headers'] ?? 'Content-Type');
      res.statusCode = 204;
      res.end();
      return;
    }
    sendKongError(res, req, methodNotAllowed());
  }
}
