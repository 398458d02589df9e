// Kong's plugin precedence: for each plugin name the most specific scope wins, across every combination.
import type { Row } from '@tollgate/declarative/snapshot';
import { compilePluginChains } from './chains';
import { loadPlugins } from './registry';
import { SnapshotBuilder } from './testing/snapshot-builder';

type Scope = 'global' | 'service' | 'route' | 'consumer' | 'route+service' | 'consumer+service' | 'consumer+route' | 'consumer+route+service';
const ALL: Scope[] = ['consumer+route+service', 'consumer+route', 'consumer+service', 'route+service', 'consumer', 'route', 'service', 'global'];

describe('compilePluginChains precedence', () => {
  const registry = loadPlugins(['bundled']);

  function build(scopes: Scope[]) {
    const b = new SnapshotBuilder(registry);
    const service = b.service(1);
    const otherService = b.service(2);
    const route = b.route(service, ['/r']);
    const consumer = b.consumer('c');
    const other = b.consumer('other');
    const ids = new Map<Scope, string>();
    for (const s of scopes) {
      const scope: { route?: Row; service?: Row; consumer?: Row } = {};
      if (s.includes('route')) scope.route = route;
      if (s.includes('service')) scope.service = service;
      if (s.includes('consumer')) scope.consumer = consumer;
      ids.set(s, b.plugin('request-termination', { status_code: 418, message: s }, scope).id);
    }
    return { chains: compilePluginChains(b.build(), registry), route, service, otherService, consumer, other, ids };
  }

  // each row: the configured scopes -> which one applies (with / without the consumer authenticated)
  const table: Array<[Scope[], Scope | null, Scope | null]> = [
    [['global'], 'global', 'global'],
    [['global', 'service'], 'service', 'service'],
    [['global', 'service', 'route'], 'route', 'route'],
    [['route', 'consumer'], 'route', 'consumer'],
    [['route+service', 'consumer'], 'route+service', 'route+service'],
    [['service', 'consumer'], 'service', 'consumer'],
    [['route+service', 'consumer+service'], 'route+service', 'consumer+service'],
    [['consumer+service', 'consumer+route'], null, 'consumer+route'],
    [ALL, 'route+service', 'consumer+route+service'],
    [['consumer'], null, 'consumer'],
    [['service', 'consumer+service'], 'service', 'consumer+service'],
  ];

  it.each(table)('%j -> without consumer %s, with consumer %s', (scopes, anonymous, authenticated) => {
    const { chains, route, service, consumer, ids } = build(scopes);
    const pick = (consumerId: string | null) => chains.lookup(route.id, service.id, consumerId).entries.map((e) => e.id);
    expect(pick(null)).toEqual(anonymous ? [ids.get(anonymous)] : []);
    expect(pick(consumer.id)).toEqual(authenticated ? [ids.get(authenticated)] : []);
  });

  it('says whether any plugin is scoped to a consumer (else authenticating never changes the chain)', () => {
    expect(build(['route', 'service', 'global']).chains.consumerScoped).toBe(false);
    expect(build(['route', 'consumer+service']).chains.consumerScoped).toBe(true);
  });

  it('another consumer and another service only see what applies to them', () => {
    const { chains, route, service, otherService, other, ids } = build(ALL);
    expect(chains.lookup(route.id, service.id, other.id).entries.map((e) => e.id)).toEqual([ids.get('route+service')]);
    expect(chains.lookup(null, otherService.id, null).entries.map((e) => e.id)).toEqual([ids.get('global')]);
  });

  it('chains are frozen, sorted by priority, and the same object on every lookup', () => {
    const b = new SnapshotBuilder(registry);
    const service = b.service(1);
    const route = b.route(service, ['/r']);
    for (const name of ['prometheus', 'rate-limiting', 'key-auth', 'cors', 'correlation-id', 'acl']) {
      b.plugin(name, name === 'rate-limiting' ? { minute: 1 } : name === 'acl' ? { allow: ['a'] } : {});
    }
    const chains = compilePluginChains(b.build(), registry);
    const chain = chains.lookup(route.id, service.id, null);
    expect(chain.entries.map((e) => e.name)).toEqual(['correlation-id', 'cors', 'key-auth', 'acl', 'rate-limiting', 'prometheus']);
    expect(Object.isFrozen(chain.entries)).toBe(true);
    expect(chains.lookup(route.id, service.id, null)).toBe(chain);
  });

  it('enabled: false, unknown plugin names and disabled services are left out', () => {
    const b = new SnapshotBuilder(registry);
    const service = b.service(1);
    const off = b.service(2, { enabled: false });
    const route = b.route(service, ['/r']);
    b.plugin('cors', {}, {}, { enabled: false });
    b.plugin('correlation-id', {}, { service: off });
    b.plugins.push({ ...b.plugin('key-auth', {}), name: 'not-installed' } as Row);
    const chains = compilePluginChains(b.build(), registry);
    expect(chains.lookup(route.id, service.id, null).entries.map((e) => e.name)).toEqual(['key-auth']);
  });

  // each row: plugins on the route -> which later phases the chain says it has (the runner skips the others)
  const phases: Array<[string[], { hasRewrite: boolean; hasHeaderFilter: boolean; hasBodyFilter: boolean; hasLog: boolean }]> = [
    [['key-auth', 'rate-limiting'], { hasRewrite: false, hasHeaderFilter: false, hasBodyFilter: false, hasLog: false }],
    [['key-auth', 'correlation-id'], { hasRewrite: false, hasHeaderFilter: true, hasBodyFilter: false, hasLog: false }],
    [['response-transformer'], { hasRewrite: false, hasHeaderFilter: true, hasBodyFilter: true, hasLog: false }],
    [['rate-limiting', 'file-log'], { hasRewrite: false, hasHeaderFilter: false, hasBodyFilter: false, hasLog: true }],
  ];
  it.each(phases)('phase flags of %j', (names, expected) => {
    const b = new SnapshotBuilder(registry);
    const service = b.service(1);
    const route = b.route(service, ['/r']);
    const configs: Record<string, Record<string, unknown>> = { 'rate-limiting': { minute: 5 }, 'file-log': { path: '/dev/null' } };
    for (const name of names) b.plugin(name, configs[name] ?? {}, { route });
    const chain = compilePluginChains(b.build(), registry).lookup(route.id, service.id, null);
    const { hasRewrite, hasHeaderFilter, hasBodyFilter, hasLog } = chain;
    expect({ hasRewrite, hasHeaderFilter, hasBodyFilter, hasLog }).toEqual(expected);
  });
});

