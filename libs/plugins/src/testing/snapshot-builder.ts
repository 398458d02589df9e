// Builds snapshots for plugin tests with full rows and deterministic ids.
import { randomUUID } from 'node:crypto';
import type { Row, RouteRow, ServiceRow, Snapshot } from '@tollgate/declarative/snapshot';
import { loadPlugins, type PluginRegistry } from '../registry';
import { validatePluginConfig } from '../validate-config';

export class SnapshotBuilder {
  constructor(readonly registry: PluginRegistry = loadPlugins(['bundled'])) {}

  services: ServiceRow[] = [];
  routes: RouteRow[] = [];
  consumers: Row[] = [];
  plugins: Row[] = [];
  keyauth: Row[] = [];
  basicauth: Row[] = [];
  jwt: Row[] = [];
  acls: Row[] = [];
  upstreams: Row[] = [];
  targets: Row[] = [];

  service(port: number, extra: Record<string, unknown> = {}): ServiceRow {
    const row = { id: randomUUID(), name: null, protocol: 'http', host: '127.0.0.1', port, path: null, retries: 5,
      connect_timeout: 60000, write_timeout: 60000, read_timeout: 60000, enabled: true, tls_verify: null,
      tls_verify_depth: null, ca_certificates: null, client_certificate: null, ...extra } as ServiceRow;
    this.services.push(row);
    return row;
  }

  route(service: Row, paths: string[], extra: Record<string, unknown> = {}): RouteRow {
    const row = { id: randomUUID(), name: null, protocols: ['http', 'https'], methods: null, hosts: null, paths, headers: null,
      snis: null, sources: null, destinations: null, regex_priority: 0, strip_path: true, preserve_host: false,
      path_handling: 'v0', https_redirect_status_code: 426, request_buffering: true, response_buffering: true,
      created_at: 0, service: { id: service.id }, ...extra } as RouteRow;
    this.routes.push(row);
    return row;
  }

  consumer(username: string | null, extra: Record<string, unknown> = {}): Row {
    const row = { id: randomUUID(), username, custom_id: null, tags: null, created_at: 0, ...extra } as Row;
    this.consumers.push(row);
    return row;
  }

  plugin(name: string, config: Record<string, unknown>, scope: { route?: Row; service?: Row; consumer?: Row } = {}, extra: Record<string, unknown> = {}): Row {
    const ref = (r?: Row) => (r ? { id: r.id } : null);
    // configs are stored validated, with defaults filled, exactly as the Admin API would store them
    const validated = validatePluginConfig(this.registry.schemas, name, config);
    if (!validated.ok) throw new Error(`invalid ${name} config: ${JSON.stringify(validated.fields)}`);
    const row = { id: randomUUID(), name, instance_name: null, config: validated.value, protocols: ['grpc', 'grpcs', 'http', 'https'], enabled: true,
      route: ref(scope.route), service: ref(scope.service), consumer: ref(scope.consumer), tags: null, created_at: 0, ...extra } as Row;
    this.plugins.push(row);
    return row;
  }

  keyAuth(consumer: Row, key: string): Row {
    const row = { id: randomUUID(), key, consumer: { id: consumer.id }, ttl: null, tags: null, created_at: 0 } as Row;
    this.keyauth.push(row);
    return row;
  }

  /** `password` as a declarative file carries it: in clear, hashed by the node on load. */
  basicAuth(consumer: Row, username: string, password: string): Row {
    const row = { id: randomUUID(), username, password, consumer: { id: consumer.id }, tags: null, created_at: 0 } as Row;
    this.basicauth.push(row);
    return row;
  }

  jwtSecret(consumer: Row, fields: Record<string, unknown>): Row {
    const row = { id: randomUUID(), key: randomUUID(), secret: null, rsa_public_key: null, algorithm: 'HS256', consumer: { id: consumer.id }, tags: null, created_at: 0, ...fields } as Row;
    this.jwt.push(row);
    return row;
  }

  acl(consumer: Row, group: string): Row {
    const row = { id: randomUUID(), group, consumer: { id: consumer.id }, tags: null, created_at: 0 } as Row;
    this.acls.push(row);
    return row;
  }

  /** An upstream with Kong's defaults (the node fills them when it loads the snapshot). */
  upstream(name: string, extra: Record<string, unknown> = {}): Row {
    const row = { id: randomUUID(), name, created_at: 0, ...extra } as Row;
    this.upstreams.push(row);
    return row;
  }

  target(upstream: Row, target: string, extra: Record<string, unknown> = {}): Row {
    const row = { id: randomUUID(), target, weight: 100, upstream: { id: upstream.id }, created_at: 0, ...extra } as Row;
    this.targets.push(row);
    return row;
  }

  build(): Snapshot {
    return {
      _format_version: '3.0', services: this.services, routes: this.routes, consumers: this.consumers, plugins: this.plugins,
      keyauth_credentials: this.keyauth, basicauth_credentials: this.basicauth, jwt_secrets: this.jwt, acls: this.acls,
      ...(this.upstreams.length ? { upstreams: this.upstreams, targets: this.targets } : {}),
    };
  }
}
