import { Http2ServerRequest, Http2ServerResponse } from 'node:http2';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isHttp2Request } from '@tollgate/errors';
import type { RequestFailure } from './request-failure';

type RequestHandler = (req: IncomingMessage, res: ServerResponse) => void;
interface ExpressLike {
  (req: IncomingMessage, res: ServerResponse, done: (err?: unknown) => void): void;
  request: object;
  response: object;
}

/**
 * express swaps each request's prototype for its own (built on http.IncomingMessage), which would hide the
 * getters of HTTP/2 compat objects (headers, url, method...). For h2 requests we hand express a copy of its
 * request/response prototypes rebased on the HTTP/2 classes. The swap happens synchronously inside
 * `app.handle`, so temporarily replacing `app.request/response` around the call is safe. Which kind a request is
 * comes from its stream, never its parsed version (`GET / HTTP/2.0` over HTTP/1 parses as major 2).
 *
 * `fail` replaces express's finalhandler: an error no route handled, or no route at all, gets Kong's body.
 */
export function http2CompatibleHandler(app: ExpressLike, fail: RequestFailure): RequestHandler {
  const h2Request = rebase(app.request, Http2ServerRequest.prototype);
  const h2Response = rebase(app.response, Http2ServerResponse.prototype);
  const h1Request = app.request;
  const h1Response = app.response;
  return (req, res) => {
    const done = (err?: unknown) => fail(req, res, err ?? null);
    if (!isHttp2Request(req as never)) {
      app(req, res, done);
      return;
    }
    app.request = h2Request;
    app.response = h2Response;
    try {
      app(req, res, done);
    } finally {
      app.request = h1Request;
      app.response = h1Response;
    }
  };
}

/** Copies the own members of `proto` and of its express-defined ancestors onto a chain ending at `base`. */
function rebase(proto: object, base: object): object {
  const chain: object[] = [];
  for (let p: object | null = proto; p && p !== Object.prototype && !isNodeClassPrototype(p); p = Object.getPrototypeOf(p)) {
    chain.push(p);
  }
  let result = base;
  for (const layer of chain.reverse()) {
    result = Object.create(result, Object.getOwnPropertyDescriptors(layer));
  }
  return result;
}

function isNodeClassPrototype(p: object): boolean {
  return Object.prototype.hasOwnProperty.call(p, 'constructor') && typeof (p as { constructor: unknown }).constructor === 'function' &&
    ['IncomingMessage', 'ServerResponse', 'OutgoingMessage', 'Readable', 'Writable', 'Stream', 'EventEmitter'].includes(
      (p as { constructor: { name: string } }).constructor.name,
    );
}
