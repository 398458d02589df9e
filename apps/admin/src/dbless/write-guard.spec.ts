import { loadDefaultSchemaSource } from '../persistence/schema-source';
import { DblessWriteGuard } from './write-guard';

describe('DblessWriteGuard', () => {
  const guard = new DblessWriteGuard(loadDefaultSchemaSource());

  it.each([
    ['POST', '/services', "cannot create 'services' entities when not using a database"],
    ['PUT', '/services/6f1e9ab0-43f5-4dbb-9d26-6b4d3c0c9d10', "cannot create or update 'services' entities when not using a database"],
    ['PUT', '/services/my%20svc', "cannot create or update 'services' entities by 'name' when not using a database"],
    ['PATCH', '/consumers/alice', "cannot update 'consumers' entities by 'username' when not using a database"],
    ['DELETE', '/upstreams/u/targets/10.0.0.1:80', "cannot remove 'targets' entities by 'target' when not using a database"],
    ['POST', '/services/s/routes', "cannot create 'routes' entities when not using a database"],
    ['PATCH', '/routes/r/service', "cannot update 'services' entities when not using a database"],
    ['POST', '/consumers/c/acls', "cannot create 'acls' entities when not using a database"],
    ['DELETE', '/certificates/6f1e9ab0-43f5-4dbb-9d26-6b4d3c0c9d10/snis/a.test', "cannot remove 'snis' entities by 'name' when not using a database"],
  ])('%s %s is 405 code 12', (method, path, message) => {
    const error = guard.check(method, path);
    expect(error?.status).toBe(405);
    expect(error?.body).toEqual({ code: 12, name: 'operation unsupported', message });
  });

  it.each([
    ['GET', '/services'],
    ['GET', '/services/s/routes'],
    ['POST', '/schemas/services/validate'],
    ['POST', '/upstreams/u/targets/t/healthy'],
    ['POST', '/config'],
    ['POST', '/services/s'], // not a method of the item endpoint: the Admin API's own 405 answers it
    ['POST', '/targets'], // no top-level targets endpoint: 404
  ])('%s %s passes through', (method, path) => {
    expect(guard.check(method, path)).toBeNull();
  });
});
