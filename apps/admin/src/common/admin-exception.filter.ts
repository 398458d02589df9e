// Maps every error to Kong's status and body. Nest's "no route" NotFoundException becomes 404, or 405 when the
// path exists with other methods; OPTIONS on a known path is answered here with Kong's 204 + Allow.
import { Catch, HttpException, NotFoundException, type ArgumentsHost, type ExceptionFilter, type INestApplication } from '@nestjs/common';
import type { AdminRequest as Request, AdminResponse as Response } from './http-types';
import { messageError, methodNotAllowed, notFound } from '@tollgate/errors';
import { allowedMethods } from './route-table';
import { sendKongError, toKongError, type ErrorLogger } from './send-error';

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
    const mapped = toKongError(error) ?? (error instanceof HttpException ? httpExceptionToKong(error) : undefined);
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
