import { grpcStatusFor, negotiateErrorFormat, PROXY_ERRORS, renderProxyError } from './index';

test('the closed table carries Kong messages and statuses', () => {
  expect(PROXY_ERRORS.NO_ROUTE).toEqual({ status: 404, message: 'no Route matched with those values' });
  expect(PROXY_ERRORS.BAD_UPSTREAM_RESPONSE).toEqual({ status: 502, message: 'An invalid response was received from the upstream server' });
  expect(PROXY_ERRORS.NO_PEER).toEqual({ status: 503, message: 'failure to get a peer from the ring-balancer' });
  expect(PROXY_ERRORS.UPSTREAM_TIMEOUT).toEqual({ status: 504, message: 'The upstream server is timing out' });
  expect(PROXY_ERRORS.HTTPS_REQUIRED).toEqual({ status: 426, message: 'Please use HTTPS protocol' });
  expect(PROXY_ERRORS.HEADER_TOO_LARGE).toEqual({ status: 400, message: 'Request header or cookie too large' });
});

test.each([
  [undefined, 'json'], ['', 'json'], ['*/*', 'json'], ['text/plain', 'text'], ['text/html', 'html'],
  ['application/xml', 'xml'], ['image/png', 'json'], ['text/html;q=0.5, application/xml;q=0.9', 'xml'],
  ['text/plain;q=0, text/html', 'html'], ['application/json, text/html', 'json'],
])('Accept %j -> %s', (accept, format) => {
  expect(negotiateErrorFormat(accept)).toBe(format);
});

test('renders each format with the request id', () => {
  const { NO_ROUTE } = PROXY_ERRORS;
  const json = renderProxyError(NO_ROUTE.status, NO_ROUTE.message, undefined, 'abc');
  expect(json).toEqual({
    status: 404, contentType: 'application/json; charset=utf-8',
    body: '{\n  "message":"no Route matched with those values",\n  "request_id":"abc"\n}',
  });
  expect(JSON.parse(json.body)).toEqual({ message: 'no Route matched with those values', request_id: 'abc' });
  expect(renderProxyError(404, NO_ROUTE.message, 'text/plain', 'abc').body).toBe('no Route matched with those values\nrequest_id: abc\n');
  expect(renderProxyError(404, NO_ROUTE.message, 'text/html', 'abc').body).toContain('<p>no Route matched with those values.</p>');
  expect(renderProxyError(404, NO_ROUTE.message, 'application/xml', 'a<b').body).toContain(
    '<message>no Route matched with those values</message>\n  <requestid>a&lt;b</requestid>',
  );
});

test.each([[400, 3], [401, 16], [403, 7], [404, 5], [409, 6], [429, 8], [500, 13], [501, 12], [503, 14], [504, 4], [502, 13], [418, 3]])(
  'HTTP %i -> grpc-status %i', (http, grpc) => expect(grpcStatusFor(http)).toBe(grpc),
);
