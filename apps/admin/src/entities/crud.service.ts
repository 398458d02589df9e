// Semantics of the generic handlers (kong-admin-api.md §3.3) on top of the Dao. Controllers call `handle` only.
import { Inject, Injectable } from '@nestjs/common';
import type { AdminRequest as Request } from '../common/http-types';
import { methodNotAllowed, notFound } from '@tollgate/errors';
import { adminIdentityOf } from '../bootstrap/access-control';
import { Dao, SCHEMA_SOURCE, type Entity, type Page, type SchemaSource, type Scope } from '../persistence';
import { parseListQuery } from './list-query';
import { withRemainingTtl } from '../persistence/ttl';
import { entityInput } from './request-body';
import type { RouteSpec } from './route-specs';

export type Verb = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Kong's targets endpoints (kong-admin-api.md §3.4): newest first with a numeric offset, `/all`, PUT updates. */
const TARGETS = 'targets';
const ALL_TARGETS = 'all';
export type CrudResult = Entity | Page | void;

@Injectable()
export class CrudService {
  constructor(
    @Inject(Dao) private readonly dao: Dao,
    @Inject(SCHEMA_SOURCE) private readonly source: SchemaSource,
  ) {}

  async handle(spec: RouteSpec, verb: Verb, req: Request): Promise<CrudResult> {
    const schema = this.schema(spec.entity);
    if (!schema.ttl) return this.dispatch(spec, verb, req);
    // expired rows are gone for every reader (Kong's ttl cleanup); the rest show the seconds they have left
    await this.writer(req).purgeExpired(spec.entity);
    const result = await this.dispatch(spec, verb, req);
    if (!result) return result;
    if ('data' in result && Array.isArray(result.data)) return { ...result, data: result.data.map((e) => withRemainingTtl(schema, e as Entity)) };
    return withRemainingTtl(schema, result as Entity);
  }

  private dispatch(spec: RouteSpec, verb: Verb, req: Request): Promise<CrudResult> {
    switch (spec.kind) {
      case 'collection':
        return verb === 'GET' ? this.list(spec, req) : this.create(spec, req);
      case 'item':
        return this.item(spec, verb, req);
      case 'nested-collection':
        return this.nestedCollection(spec, verb, req);
      case 'nested-item':
        return this.nestedItem(spec, verb, req);
      case 'parent-of-child':
        return this.parentOfChild(spec, verb, req);
    }
  }

  /** The Dao, with the writes made for `req` reported as the request's (config releases name who wrote). */
  private writer(req: Request): Dao {
    return this.dao.as(adminIdentityOf(req));
  }

  private schema(entity: string) {
    return this.dao.schemaOf(entity);
  }

  private async input(spec: RouteSpec, req: Request, existing?: () => Promise<Entity | null>): Promise<Entity> {
    const schema = this.schema(spec.entity);
    const needsName = schema.name === 'plugins' && req.body && typeof req.body === 'object' && !('name' in req.body);
    const stored = needsName && existing ? await existing() : null;
    return entityInput(req, schema, this.source, typeof stored?.name === 'string' ? stored.name : undefined);
  }

  private list(spec: RouteSpec, req: Request, scope?: Scope, path?: string): Promise<Page> {
    const options = parseListQuery(req.query as Record<string, unknown>, this.schema(spec.entity), !!scope);
    return this.dao.list(spec.entity, { ...options, path }, scope);
  }

  private async create(spec: RouteSpec, req: Request, forced?: Entity): Promise<Entity> {
    return this.writer(req).insert(spec.entity, await this.input(spec, req), forced);
  }

  private async item(spec: RouteSpec, verb: Verb, req: Request, scope?: Scope, forced?: Entity): Promise<CrudResult> {
    const key = req.params.id;
    switch (verb) {
      case 'GET': {
        const entity = await this.dao.get(spec.entity, key, scope);
        if (!entity) throw notFound();
        return entity;
      }
      case 'PUT':
        return this.writer(req).upsert(spec.entity, key, await this.input(spec, req), scope, forced);
      case 'PATCH':
        return this.writer(req).update(spec.entity, key, await this.input(spec, req, () => this.dao.get(spec.entity, key, scope)), scope, forced);
      default:
        return this.writer(req).delete(spec.entity, key, scope);
    }
  }

  private async parentScope(spec: RouteSpec, req: Request): Promise<Scope> {
    const parent = await this.dao.get(spec.parent!.entity, req.params.parent);
    if (!parent) throw notFound();
    return { field: spec.parent!.field, id: String(parent.id) };
  }

  private async nestedCollection(spec: RouteSpec, verb: Verb, req: Request): Promise<CrudResult> {
    const scope = await this.parentScope(spec, req);
    if (verb === 'POST') return this.create(spec, req, { [scope.field]: { id: scope.id } });
    const path = `${spec.parent!.adminPath}/${encodeURIComponent(req.params.parent)}/${spec.parent!.segment}`;
    if (spec.entity === TARGETS) return this.listNewestFirst(spec, req, scope, path);
    return this.list(spec, req, scope, path);
  }

  private listNewestFirst(spec: RouteSpec, req: Request, scope: Scope, path: string): Promise<Page> {
    const options = parseListQuery(req.query as Record<string, unknown>, this.schema(spec.entity), true);
    return this.dao.listNewestFirst(spec.entity, { size: options.size, offset: options.offset, path }, scope);
  }

  private async nestedItem(spec: RouteSpec, verb: Verb, req: Request): Promise<CrudResult> {
    const scope = await this.parentScope(spec, req);
    if (spec.entity === TARGETS && req.params.id === ALL_TARGETS) {
      if (verb !== 'GET') throw methodNotAllowed();
      const path = `${spec.parent!.adminPath}/${encodeURIComponent(req.params.parent)}/${spec.parent!.segment}/${ALL_TARGETS}`;
      return this.listNewestFirst(spec, req, scope, path);
    }
    // a target PUT is an update, as PATCH: no upsert
    if (spec.entity === TARGETS && verb === 'PUT') return this.nestedItem(spec, 'PATCH', req);
    if (verb !== 'PUT' && !(await this.dao.get(spec.entity, req.params.id, scope))) throw notFound();
    const body = req.body && typeof req.body === 'object' ? (req.body as Entity) : {};
    const forced = verb === 'PATCH' && spec.parent!.field in body ? undefined : { [scope.field]: { id: scope.id } };
    return this.item(spec, verb, req, scope, forced);
  }

  private async parentOfChild(spec: RouteSpec, verb: Verb, req: Request): Promise<CrudResult> {
    const { entity: parentEntity, field } = spec.parent!;
    const child = await this.dao.get(spec.entity, req.params.id);
    const ref = child?.[field] as { id: string } | null | undefined;
    const parentSpec: RouteSpec = { kind: 'item', entity: parentEntity, path: '' };
    if (verb === 'PUT' && child) {
      const input = await this.input(parentSpec, req);
      const writer = this.writer(req);
      if (ref) return writer.upsert(parentEntity, ref.id, input);
      const created = await writer.insert(parentEntity, input);
      await writer.update(spec.entity, String(child.id), { [field]: { id: created.id } });
      return created;
    }
    if (!child || !ref) throw notFound();
    if (verb === 'DELETE') throw methodNotAllowed();
    if (verb === 'PATCH') return this.writer(req).update(parentEntity, ref.id, await this.input(parentSpec, req));
    const parent = await this.dao.get(parentEntity, ref.id);
    if (!parent) throw notFound();
    return parent;
  }
}
