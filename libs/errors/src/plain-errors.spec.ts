import {
  cannotParseJson, methodNotAllowed, multipleContentTypes, noEntityNamed, noPluginNamed, notFound, tooManyArguments,
  unexpectedError, unsupportedMediaType, luaPretty,
} from './index';

test.each([
  [notFound(), 404, { message: 'Not found' }],
  [notFound('SNI not found'), 404, { message: 'SNI not found' }],
  [methodNotAllowed(), 405, { message: 'Method not allowed' }],
  [cannotParseJson(), 400, { message: 'Cannot parse JSON body' }],
  [tooManyArguments(), 400, { message: 'Too many arguments' }],
  [unsupportedMediaType(), 415, { message: 'Unsupported Media Type' }],
  [unexpectedError('boom'), 500, { message: 'An unexpected error occurred' }],
  [noEntityNamed('foo'), 404, { message: "No entity named 'foo'" }],
  [noPluginNamed('foo'), 404, { message: "No plugin named 'foo'" }],
])('plain body %#', (error, status, body) => {
  expect(error.status).toBe(status);
  expect(error.body).toEqual(body);
});

test('multiple Content-Type headers is raw text', () => {
  const error = multipleContentTypes();
  expect(error.status).toBe(400);
  expect(error.body).toBe('Multiple Content-Type headers not allowed');
  expect(error.contentType).toBe('text/plain; charset=utf-8');
});

test.each([
  [{ name: 'foo' }, '{name="foo"}'],
  [{ b: 1, a: null, c: true }, '{a=null,b=1,c=true}'],
  [{ service: { id: 'x' }, 'not-ident': 'y' }, '{["not-ident"]="y",service={id="x"}}'],
  [{ q: 'say "hi"' }, '{q="say \\"hi\\""}'],
  [['a', null], '{"a",null}'],
])('luaPretty %j', (value, text) => {
  expect(luaPretty(value)).toBe(text);
});
