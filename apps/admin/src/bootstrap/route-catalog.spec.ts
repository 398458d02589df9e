import { compareSegmentWise, RouteCatalog, toKongPath } from './route-catalog';

test.each([
  ['/services/:id', '/services/{services}'],
  ['/services/:parent/routes/:id', '/services/{services}/routes/{routes}'],
  ['/consumers/:parent/key-auth/:id', '/consumers/{consumers}/key-auth/{keyauth_credentials}'],
  ['/schemas/plugins/:name', '/schemas/plugins/{name}'],
  ['/tags/:tag', '/tags/{tag}'],
])('toKongPath(%s) = %s', (express, kong) => {
  expect(toKongPath(express)).toBe(kong);
});

test('segment-wise order puts / before every other character', () => {
  expect(['/services-x', '/services/{services}', '/services', '/a'].sort(compareSegmentWise)).toEqual([
    '/a', '/services', '/services/{services}', '/services-x',
  ]);
});

describe('RouteCatalog', () => {
  const route = (path: string, ...methods: string[]) => ({ route: { path, methods: Object.fromEntries(methods.map((m) => [m, true])) } });
  const catalog = new RouteCatalog();
  catalog.load({
    router: {
      stack: [
        {},
        route('/plugins/enabled', 'get'),
        route('/plugins', 'get', 'post'),
        route('/plugins/:id', 'get', 'patch', 'put', 'delete'),
        route('/docs-json', 'get'),
      ],
    },
  });

  test.each([
    ['/plugins', ['GET', 'HEAD', 'OPTIONS', 'POST']],
    ['/plugins/', ['GET', 'HEAD', 'OPTIONS', 'POST']],
    ['/plugins/enabled', ['GET', 'HEAD', 'OPTIONS']],
    ['/plugins/abc', ['DELETE', 'GET', 'HEAD', 'OPTIONS', 'PATCH', 'PUT']],
    ['/nope', null],
  ])('allowedMethods(%s)', (path, methods) => {
    expect(catalog.allowedMethods(path)).toEqual(methods);
  });

  test('kongEndpoints leaves out the documentation routes', () => {
    expect(catalog.kongEndpoints()).toEqual(['/plugins', '/plugins/enabled', '/plugins/{plugins}']);
  });
});
