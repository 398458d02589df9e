// google.api.http path templates as grpc-gateway matches them.
import { compileTemplate } from './bindings';

describe('path templates', () => {
  const match = (template: string, path: string) => {
    const t = compileTemplate(template)!;
    const m = t.regex.exec(path);
    return m === null ? null : Object.fromEntries(t.varnames.map((n, i) => [n, m[i + 1]]));
  };

  it.each([
    ['/v1/messages/{id}', '/v1/messages/42', { id: '42' }],
    ['/v1/messages/{id}', '/v1/messages/4/2', null],
    ['/v1/{name=shelves/*}/books', '/v1/shelves/s1/books', { name: 'shelves/s1' }],
    ['/v1/{name=shelves/*}/books', '/v1/shelves/s1/x/books', null],
    ['/v1/files/{path=**}', '/v1/files/a/b/c.txt', { path: 'a/b/c.txt' }],
    ['/v1/{a}/{b.c}:run', '/v1/x/y:run', { a: 'x', 'b.c': 'y' }],
    // literal text is literal: a dot in the template matches only a dot
    ['/v1.0/items', '/v1x0/items', null],
    ['/v1.0/items', '/v1.0/items', {}],
  ])('%s against %s', (template, path, expected) => {
    expect(match(template, path)).toEqual(expected);
  });
});
