// Requests the Admin API refuses before express sees them, answered with Kong's `{"message": ...}` JSON: parser
// rejections (Node would send an empty 400/431), CONNECT (Node would close silently), a request line that
// names another HTTP version (505, as nginx) and an HTTP/1.1 request without Host (400; Node's would be empty).
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Socket } from 'node:net';
import { HTTP_VERSION_NOT_SUPPORTED, jsonClientErrorHandler, MISSING_HOST, PLAIN_MESSAGES, refuseConnectJson } from '@tollgate/errors';
import { sendJson } from './send-json';

/** The Admin API's parser rejections: Kong's JSON body (libs/errors, shared with the status listener). */
export const adminClientErrorHandler = jsonClientErrorHandler;

export function adminConnectHandler(_req: IncomingMessage, socket: Socket | ServerResponse): void {
  if (!(socket instanceof Socket)) {
    sendJson(_req, socket, 405, { message: PLAIN_MESSAGES.METHOD_NOT_ALLOWED });
    return;
  }
  refuseConnectJson(socket);
}

/** An HTTP/1.1 request without Host: 400 and close, as nginx. */
export function refuseMissingHost(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendJson(req, res, MISSING_HOST.status, { message: MISSING_HOST.message });
}

/** `GET / HTTP/2.0` over HTTP/1: 505 and close. */
export function refuseHttpVersion(req: IncomingMessage, res: ServerResponse): void {
  res.setHeader('Connection', 'close');
  sendJson(req, res, HTTP_VERSION_NOT_SUPPORTED.status, { message: HTTP_VERSION_NOT_SUPPORTED.message });
}
