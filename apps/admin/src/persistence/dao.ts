// The one gateway to stored entities. Every write is one serialised transaction; `changes$` fires after commit.
// Inputs and outputs are in Admin API shape (foreign keys as {id}, every field present, unset ones null).
import { randomUUID } from 'node:crypto';
import { Subject, type Observable } from 'rxjs';
import type { DataSource, EntityManager } from 'typeorm';
import { echoShorthandFields, type EntitySchema, type FieldDef } from '@tollgate/schema';
import type { Snapshot } from '../../../../libs/declarative/src/snapshot';
import {
  entityNotFound,
  notFound,
  foreignKeyRestrict,
  foreignKeyViolation,
  foreignKeysUnresolved,
  referencedByOthers,
  schemaViolation,
  unresolvedForeignKeyMessage,
} from '@tollgate/errors';
import { foreignColumn } from './columns';
import { mapUniqueViolation } from './db-errors';
import type { ChangeEvent, ListOptions, Page, Scope, WriteOrigin } from './list-options';
import { certificateIdBySni, endpointKeyValue, findRow, locatorFor } from './locate';
import { parseNumericOffset } from './numeric-offset';
import { decodePageToken, encodePageToken, UUID } from './page-token';
import { checkPluginProtocols } from './plugin-protocols';
import { fromDbRow, toDbRow, type DbRow, type Entity } from './row-mapper';
import { storedSchemas, type SchemaSource } from './schema-source';
import { dropTags, replaceTags, whereTags } from './tags-index';
import { pageTags, type TagRow } from './tags-page';
import { WriteLock } from './write-lock';
import { EXPIRED_WHERE, ttlFromNow } from './ttl';

export type { Entity } from './row-mapper';
export type { TagRow } from './tags-page';

const DEFAULT_PAGE_SIZE = 100;
const ENTITY_ERRORS_KEY = '@entity';
const PROTO_KEY = '__proto__';
/** Ids per `IN (...)` query: well under SQLite's bound-parameter limit. */
const READ_CHUNK = 500;

/** A certificate's `snis` input with the SNI name from a PUT URL added (a form may send one bare string). */
function withName(snis: unknown, name: string): unknown {
  if (typeof snis === 'string') return snis === name ? [name] : [snis, name];
  if (!Array.isArray(snis)) return snis === undefined || snis === null ? [name] : snis;
  return snis.includes(name) ? snis : [...snis, name];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class Dao {
  private readonly lock = new WriteLock();
  private readonly changes = new Subject<ChangeEvent>();
  readonly changes$: Observable<ChangeEvent> = this.changes.asObservable();
  private readonly stored: EntitySchema[];
  /** Set only on the views `as()` returns: the origin their writes' change events carry. */
  private readonly origin: WriteOrigin | undefined = undefined;

  constructor(
    readonly dataSource: DataSource,
    readonly source: SchemaSource,
  ) {
    this.stored = storedSchemas(source);
  }

  /**
   * This Dao, with every write it makes reported as made by `origin` (the change events carry it). A view shares
   * everything with its Dao (lock, connection, listeners); making one costs one small object.
   */
  as(origin: WriteOrigin | undefined): Dao {
    if (origin === undefined || origin === this.origin) return this;
    const view = Object.create(this) as Dao;
    Object.defineProperty(view, 'origin', { value: origin });
    return view;
  }

  /** Subscribes to committed writes; returns the unsubscribe function. */
  onChange(listener: (event: ChangeEvent) => void): () => void {
    const subscription = this.changes$.subscribe(listener);
    return () => subscription.unsubscribe();
  }

  schemaOf(entity: string): EntitySchema {
    const schema = this.source.entities.get(entity);
    if (!schema || !this.stored.includes(schema)) throw new Error(`unknown stored entity '${entity}'`);
    return schema;
  }

  // ----- reads -----

  async list(entity: string, options: ListOptions = {}, scope?: Scope): Promise<Page> {
    const schema = this.schemaOf(entity);
    const size = options.size ?? DEFAULT_PAGE_SIZE;
    const query = this.dataSource.manager.createQueryBuilder().select('t.*').from(schema.name, 't');
    if (scope) query.andWhere(`t.${foreignColumn(scope.field)} = :scopeId`, { scopeId: scope.id });
    Object.entries(options.filters ?? {}).forEach(([field, value], index) => {
      const column = isObject(value) ? foreignColumn(field) : field;
      query.andWhere(`t.${column} = :f${index}`, { [`f${index}`]: isObject(value) ? value.id : value });
    });
    if (options.tags) whereTags(query, schema.name, options.tags);
    if (options.offset !== undefined) query.andWhere('t.id > :after', { after: decodePageToken(options.offset) });
    const rows: DbRow[] = await query.orderBy('t.id', 'ASC').limit(size + 1).getRawMany();
    const data = rows.slice(0, size).map((row) => this.present(schema, row));
    if (rows.length <= size) return { data: await this.decorate(schema, data), next: null };
    const offset = encodePageToken(String(data[data.length - 1].id));
    const path = options.path ?? schema.adminPath;
    return {
      data: await this.decorate(schema, data),
      offset,
      next: `${path}?offset=${encodeURIComponent(offset)}${options.nextQuery ?? ''}`,
    };
  }

  /**
   * Newest first (created_at, then id, descending) with a numeric `offset`: Kong's `/upstreams/{u}/targets`.
   * `options.path` is the `next` link's path; tags and size are not carried over, as in Kong.
   */
  async listNewestFirst(entity: string, options: ListOptions = {}, scope?: Scope): Promise<Page> {
    const schema = this.schemaOf(entity);
    const size = options.size ?? DEFAULT_PAGE_SIZE;
    const skip = parseNumericOffset(options.offset);
    const query = this.dataSource.manager.createQueryBuilder().select('t.*').from(schema.name, 't');
    if (scope) query.andWhere(`t.${foreignColumn(scope.field)} = :scopeId`, { scopeId: scope.id });
    const rows: DbRow[] = await query.orderBy('t.created_at', 'DESC').addOrderBy('t.id', 'DESC').offset(skip).limit(size + 1).getRawMany();
    const data = await this.decorate(schema, rows.slice(0, size).map((row) => this.present(schema, row)));
    if (rows.length <= size) return { data, next: null };
    const offset = String(skip + size);
    return { data, offset, next: `${options.path ?? schema.adminPath}?offset=${offset}` };
  }

  /** The tags index for `/tags` (every tag) and `/tags/{tag}` (one tag; an invalid one is code 10). */
  listTags(tag?: string, options: ListOptions = {}): Promise<Page<TagRow>> {
    return pageTags(this.dataSource.manager, tag, options);
  }

  /** The entity addressed by id or endpoint key (certificates also by SNI name), or null. */
  async get(entity: string, idOrKey: string, scope?: Scope): Promise<Entity | null> {
    const schema = this.schemaOf(entity);
    const row = await this.findByKey(this.dataSource.manager, schema, idOrKey, scope);
    return row ? (await this.decorate(schema, [this.present(schema, row)]))[0] : null;
  }

  async exportAll(): Promise<Snapshot> {
    return this.lock.run(async () => {
      const snapshot: Record<string, unknown> = { _format_version: '3.0' };
      for (const schema of this.stored) {
        if (schema.runtimeData) continue;
        const rows: DbRow[] = await this.dataSource.manager
          .createQueryBuilder()
          .select('t.*')
          .from(schema.name, 't')
          .orderBy('t.id', 'ASC')
          .getRawMany();
        snapshot[schema.name] = await this.decorate(schema, rows.map((row) => this.present(schema, row)));
      }
      return snapshot as unknown as Snapshot;
    });
  }

  /**
   * The committed rows with these ids, as `exportAll` shows them (ids not returned do not exist). Taken under the
   * write lock like exportAll, so it never sees a transaction in flight; cheap enough to run after every write.
   */
  async readRows(entity: string, ids: readonly string[]): Promise<Entity[]> {
    const schema = this.schemaOf(entity);
    return this.lock.run(async () => {
      const out: Entity[] = [];
      for (let i = 0; i < ids.length; i += READ_CHUNK) {
        const rows: DbRow[] = await this.dataSource.manager
          .createQueryBuilder()
          .select('t.*')
          .from(schema.name, 't')
          .where('t.id IN (:...ids)', { ids: ids.slice(i, i + READ_CHUNK) })
          .getRawMany();
        out.push(...(await this.decorate(schema, rows.map((row) => this.present(schema, row)))));
      }
      return out;
    });
  }

  // ----- writes -----

  /** POST. `forced` fields (the parent from a nested URL) override the body. */
  insert(entity: string, input: Entity, forced: Entity = {}): Promise<Entity> {
    const schema = this.schemaOf(entity);
    return this.write(async (manager, events) => {
      const body = { ...input, ...forced };
      const prepared = this.stampNew(schema, body, randomUUID());
      await this.resolveForeignKeys(manager, schema, prepared);
      const value = this.validate(schema, prepared, 'insert');
      await this.checkWithDatabase(manager, schema, value);
      const stored = await this.store(manager, schema, value, undefined, events);
      events.push({ entity: schema.name, op: 'create', id: String(value.id) });
      return stored;
    });
  }

  /** PATCH: merges onto the stored entity; 404 (code 6) when it does not exist. */
  update(entity: string, idOrKey: string, input: Entity, scope?: Scope, forced: Entity = {}): Promise<Entity> {
    const schema = this.schemaOf(entity);
    return this.write(async (manager, events) => {
      const row = await this.findByKey(manager, schema, idOrKey, scope);
      if (!row) {
        const locator = locatorFor(schema, idOrKey, scope);
        throw entityNotFound(locator.key, locator.byPrimaryKey);
      }
      const [previous] = await this.decorate(schema, [this.present(schema, row)]);
      const body = { ...input, ...forced };
      delete body.id;
      await this.resolveForeignKeys(manager, schema, body);
      const value = ttlFromNow(schema, { ...this.validate(schema, body, 'update', previous), id: previous.id }, body.ttl);
      await this.checkWithDatabase(manager, schema, value);
      const stored = await this.store(manager, schema, value, previous, events);
      events.push({ entity: schema.name, op: 'update', id: String(value.id) });
      return stored;
    });
  }

  /**
   * PUT: replaces in full, creating when missing; a PUT by endpoint key sets that key. A certificate PUT by an
   * SNI name creates the certificate when the name is unknown and always keeps that name in its `snis`.
   */
  upsert(entity: string, idOrKey: string, input: Entity, scope?: Scope, forced: Entity = {}): Promise<Entity> {
    const schema = this.schemaOf(entity);
    return this.write(async (manager, events) => {
      const body: Entity = { ...input, ...forced };
      let key = idOrKey;
      if (schema.name === 'certificates' && !UUID.test(idOrKey) && this.source.entities.has('snis')) {
        const sniName = endpointKeyValue(this.schemaOf('snis'), 'name', idOrKey);
        key = (await certificateIdBySni(manager, this.schemaOf('snis'), sniName)) ?? randomUUID();
        body.snis = withName(body.snis, sniName);
      }
      const locator = locatorFor(schema, key, scope);
      const row = await findRow(manager, schema.name, locator.where);
      const previous = row ? this.present(schema, row) : undefined;
      if (!locator.byPrimaryKey && schema.endpointKey) body[schema.endpointKey] = locator.key[schema.endpointKey];
      // acls by group: the URL's group is the default, a group in the body wins (Kong's acl api.lua)
      else if (!locator.byPrimaryKey && schema.scopedEndpointKey && body[schema.scopedEndpointKey] == null) {
        body[schema.scopedEndpointKey] = locator.key[schema.scopedEndpointKey];
      }
      const id = previous?.id ?? (locator.byPrimaryKey ? locator.key.id : randomUUID());
      const prepared = this.stampNew(schema, { ...body, id: undefined }, String(id));
      await this.resolveForeignKeys(manager, schema, prepared);
      const validated = this.validate(schema, prepared, 'upsert', previous);
      const value = previous && schema.ttl ? ttlFromNow(schema, { ...validated, created_at: previous.created_at }, body.ttl) : validated;
      await this.checkWithDatabase(manager, schema, value);
      const stored = await this.store(manager, schema, value, previous, events);
      events.push({ entity: schema.name, op: previous ? 'update' : 'create', id: String(value.id) });
      return stored;
    });
  }

  /** Deletes the expired rows of a ttl schema (Kong's ttl cleanup), with their cascades. */
  async purgeExpired(entity: string, nowMs = Date.now()): Promise<void> {
    const schema = this.schemaOf(entity);
    if (!schema.ttl) return;
    const expired: Array<{ id: string }> = await this.dataSource.manager.createQueryBuilder()
      .select('t.id AS id').from(schema.name, 't').where(EXPIRED_WHERE, { now: Math.floor(nowMs / 1000) }).getRawMany();
    if (expired.length === 0) return;
    await this.write(async (manager, events) => {
      for (const row of expired) await this.removeTree(manager, schema, String(row.id), events);
    });
  }

  /** DELETE: idempotent; applies restrict and cascade rules in the same transaction. */
  delete(entity: string, idOrKey: string, scope?: Scope): Promise<void> {
    const schema = this.schemaOf(entity);
    return this.write(async (manager, events) => {
      const row = await this.findByKey(manager, schema, idOrKey, scope);
      if (!row) return;
      await this.removeTree(manager, schema, String(row.id), events);
      if (schema.name === 'snis' && row.certificate_id) events.push({ entity: 'certificates', op: 'update', id: String(row.certificate_id) });
    });
  }

  /**
   * A transaction outside entity CRUD (config releases, the data-plane registry, a rollback's wholesale rewrite),
   * serialised with every other write: SQLite has one connection, so two open transactions would interleave.
   * `rewrote`: the work replaced entities without per-row events, so listeners rebuild from a full export.
   */
  async transact<T>(work: (manager: EntityManager) => Promise<T>, opts: { readonly rewrote?: boolean } = {}): Promise<T> {
    const result = await this.lock.run(() => this.dataSource.transaction(work));
    // an event without entity and id is the SnapshotSource contract's "anything may have changed"
    if (opts.rewrote) this.changes.next((this.origin ? { origin: this.origin } : undefined) as unknown as ChangeEvent);
    return result;
  }

  // ----- internals -----

  private async write<T>(work: (manager: EntityManager, events: ChangeEvent[]) => Promise<T>): Promise<T> {
    const events: ChangeEvent[] = [];
    const result = await this.lock.run(() => this.dataSource.transaction((manager) => work(manager, events)));
    // rows the proxy writes (tokens, sessions) are not configuration: no new config version for them
    for (const event of events) {
      if (!this.source.entities.get(event.entity)?.runtimeData) this.changes.next(this.origin ? { ...event, origin: this.origin } : event);
    }
    return result;
  }

  private async findByKey(manager: EntityManager, schema: EntitySchema, idOrKey: string, scope?: Scope): Promise<DbRow | undefined> {
    let key = idOrKey;
    if (schema.name === 'certificates' && !UUID.test(idOrKey) && this.source.entities.has('snis')) {
      const id = await certificateIdBySni(manager, this.schemaOf('snis'), idOrKey);
      if (!id) throw notFound('SNI not found');
      key = id;
    }
    return findRow(manager, schema.name, locatorFor(schema, key, scope).where);
  }

  /** Checks Kong's DAOs make against other rows, after schema validation and before the write. */
  private async checkWithDatabase(manager: EntityManager, schema: EntitySchema, value: Entity): Promise<void> {
    if (schema.name === 'plugins' && this.source.entities.has('routes')) await checkPluginProtocols(manager, value);
  }

  private present(schema: EntitySchema, row: DbRow): Entity {
    const entity = fromDbRow(schema, row);
    // Kong's select echoes a plugin config's shorthand fields (rate-limiting's redis_host...) from their paths
    if (schema.name === 'plugins' && isObject(entity.config)) {
      entity.config = echoShorthandFields(this.source.pluginSchemas?.get(String(entity.name)), entity.config);
    }
    return entity;
  }

  /** Certificates carry their SNI names (sorted), which live in the snis table. */
  private async decorate(schema: EntitySchema, rows: Entity[]): Promise<Entity[]> {
    if (schema.name !== 'certificates' || rows.length === 0 || !this.source.entities.has('snis')) return rows;
    const snis: Array<{ name: string; certificate_id: string }> = await this.dataSource.manager
      .createQueryBuilder()
      .select(['s.name AS name', 's.certificate_id AS certificate_id'])
      .from('snis', 's')
      .where('s.certificate_id IN (:...ids)', { ids: rows.map((row) => row.id) })
      .getRawMany();
    for (const row of rows) {
      row.snis = snis.filter((sni) => sni.certificate_id === row.id).map((sni) => sni.name).sort();
    }
    return rows;
  }

  private now(schema: EntitySchema, field: string): number {
    const def = schema.fields.find(([name]) => name === field)?.[1];
    return def?.timestamp === 'milliseconds' ? Math.round(Date.now()) / 1000 : Math.floor(Date.now() / 1000);
  }

  private stampNew(schema: EntitySchema, body: Entity, id: string): Entity {
    // an id of another type stays for the validator to refuse (Kong's "expected a string"), never replaced
    const given = body.id;
    const out: Entity = { ...body, id: given === undefined || given === null ? id : typeof given === 'string' ? given.toLowerCase() : given };
    const has = (name: string) => schema.fields.some(([field]) => field === name);
    if (has('created_at') && (out.created_at === undefined || out.created_at === null)) {
      out.created_at = this.now(schema, 'created_at');
    }
    if (has('updated_at')) out.updated_at = this.now(schema, 'updated_at');
    return out;
  }

  private validate(schema: EntitySchema, input: Entity, mode: 'insert' | 'update' | 'upsert', previous?: Entity): Entity {
    // `@entity` is where entity-level errors go, and `__proto__` cannot be a field: as body keys both are
    // unknown fields, reported before the validator sees them
    if (Object.prototype.hasOwnProperty.call(input, ENTITY_ERRORS_KEY)) throw schemaViolation({ [ENTITY_ERRORS_KEY]: ['unknown field'] });
    if (Object.prototype.hasOwnProperty.call(input, PROTO_KEY)) throw schemaViolation({ [PROTO_KEY]: 'unknown field' });
    const result = this.source.validate(schema, input, { mode, previous, pluginSchemas: this.source.pluginSchemas });
    if (!result.ok) throw schemaViolation(result.fields);
    // libs/schema returns the complete entity (PATCH merged, auto fields and transform applied)
    return result.value;
  }

  /** `{service: {name: "x"}}` -> `{service: {id}}`; unresolvable references are Kong's code 13. */
  private async resolveForeignKeys(manager: EntityManager, schema: EntitySchema, body: Entity): Promise<void> {
    const unresolved: Record<string, unknown> = {};
    for (const [field, def] of schema.fields) {
      const value = body[field];
      if (def.type !== 'foreign' || !def.reference || !isObject(value) || 'id' in value) continue;
      const parent = this.source.entities.get(def.reference);
      const keys = Object.keys(value);
      const keyName = keys[0];
      const keyDef = parent?.fields.find(([name]) => name === keyName)?.[1];
      if (!parent || keys.length !== 1 || !(keyDef?.unique || parent.endpointKey === keyName)) continue;
      const row = typeof value[keyName] === 'string' ? await findRow(manager, parent.name, { [keyName]: value[keyName] }) : undefined;
      if (row) body[field] = { id: row.id };
      else unresolved[field] = { [keyName]: unresolvedForeignKeyMessage({ [keyName]: value[keyName] }, parent.name) };
    }
    if (Object.keys(unresolved).length) throw foreignKeysUnresolved(unresolved);
  }

  private async checkForeignKeys(manager: EntityManager, schema: EntitySchema, value: Entity): Promise<void> {
    for (const [field, def] of schema.fields) {
      const ref = value[field];
      if (def.type !== 'foreign' || !def.reference || !isObject(ref) || typeof ref.id !== 'string') continue;
      const exists = UUID.test(ref.id) && (await findRow(manager, def.reference, { id: ref.id.toLowerCase() }));
      if (!exists) throw foreignKeyViolation(field, def.reference, { id: ref.id });
    }
  }

  /**
   * Writes the row (and its tags, and a certificate's SNIs); returns it as the Admin API shows it. `events` gets
   * the rows changed besides this one: SNI rows written for a certificate, and the certificates whose `snis`
   * list an SNI write changes (exports show certificates with their SNI names).
   */
  private async store(manager: EntityManager, schema: EntitySchema, value: Entity, previous: Entity | undefined, events: ChangeEvent[]): Promise<Entity> {
    await this.checkForeignKeys(manager, schema, value);
    const row = toDbRow(schema, value);
    try {
      if (previous) {
        await manager.createQueryBuilder().update(schema.name).set(row).where('id = :id', { id: previous.id }).execute();
      } else {
        await manager.createQueryBuilder().insert().into(schema.name).values(row).execute();
      }
    } catch (error) {
      throw mapUniqueViolation(schema, value, error) ?? error;
    }
    if (schema.fields.some(([name]) => name === 'tags')) {
      await replaceTags(manager, schema.name, String(value.id), value.tags, !previous);
    }
    const presented = this.present(schema, row);
    if (schema.name === 'certificates' && this.source.entities.has('snis')) {
      presented.snis = await this.syncSnis(manager, String(presented.id), value.snis, events);
    }
    if (schema.name === 'snis') {
      for (const owner of [previous?.certificate, value.certificate]) {
        if (isObject(owner) && typeof owner.id === 'string') events.push({ entity: 'certificates', op: 'update', id: owner.id });
      }
    }
    return presented;
  }

  /** Certificates' transient `snis` input becomes rows of the snis table (kong-admin-api.md §1.7). */
  private async syncSnis(manager: EntityManager, certificateId: string, input: unknown, events: ChangeEvent[]): Promise<string[]> {
    const names = Array.isArray(input) ? input.filter((name): name is string => typeof name === 'string') : [];
    const seen = new Set<string>();
    for (const name of names) {
      if (seen.has(name)) throw schemaViolation({ snis: `${name} is duplicated` });
      seen.add(name);
      const owner = await findRow(manager, 'snis', { name });
      if (owner && String(owner.certificate_id) !== certificateId) {
        throw schemaViolation({ snis: `${name} already associated with existing certificate '${owner.certificate_id}'` });
      }
    }
    const current: Array<{ id: string; name: string }> = await manager
      .createQueryBuilder()
      .select(['s.id AS id', 's.name AS name'])
      .from('snis', 's')
      .where('s.certificate_id = :certificateId', { certificateId })
      .getRawMany();
    const snis = this.schemaOf('snis');
    for (const row of current.filter((sni) => !seen.has(sni.name))) {
      await dropTags(manager, row.id);
      await manager.createQueryBuilder().delete().from('snis').where('id = :id', { id: row.id }).execute();
      events.push({ entity: 'snis', op: 'delete', id: row.id });
    }
    const existing = new Set(current.map((sni) => sni.name));
    for (const name of names.filter((n) => !existing.has(n))) {
      const now = Math.floor(Date.now() / 1000);
      const sni = { id: randomUUID(), name, certificate: { id: certificateId }, tags: null, created_at: now, updated_at: now };
      await manager.createQueryBuilder().insert().into('snis').values(toDbRow(snis, sni)).execute();
      events.push({ entity: 'snis', op: 'create', id: sni.id });
    }
    return [...names].sort();
  }

  private childLinks(parent: string): Array<{ child: EntitySchema; field: string; def: FieldDef }> {
    const links: Array<{ child: EntitySchema; field: string; def: FieldDef }> = [];
    for (const child of this.stored) {
      for (const [field, def] of child.fields) {
        if (def.type === 'foreign' && def.reference === parent) links.push({ child, field, def });
      }
    }
    return links;
  }

  private async removeTree(manager: EntityManager, schema: EntitySchema, id: string, events: ChangeEvent[]): Promise<void> {
    const links = this.childLinks(schema.name).map((link) => ({
      ...link,
      // Kong's certificates DAO deletes its SNIs first; every other unspecified rule is Kong's default, restrict.
      rule: link.def.on_delete ?? (link.child.name === 'snis' ? 'cascade' : 'restrict'),
    }));
    for (const link of links.filter((l) => l.rule === 'restrict')) {
      if (await findRow(manager, link.child.name, { [foreignColumn(link.field)]: id })) {
        throw foreignKeyRestrict(link.child.name, schema.name);
      }
    }
    if (schema.name === 'ca_certificates') await this.checkCaCertificateUnused(manager, id);
    for (const link of links.filter((l) => l.rule !== 'restrict')) {
      const children: DbRow[] = await manager
        .createQueryBuilder()
        .select('c.id', 'id')
        .from(link.child.name, 'c')
        .where(`c.${foreignColumn(link.field)} = :id`, { id })
        .getRawMany();
      for (const child of children) {
        if (link.rule === 'cascade') await this.removeTree(manager, link.child, String(child.id), events);
      }
      if (link.rule === 'null' && children.length) {
        await manager
          .createQueryBuilder()
          .update(link.child.name)
          .set({ [foreignColumn(link.field)]: null })
          .where(`${foreignColumn(link.field)} = :id`, { id })
          .execute();
        for (const child of children) events.push({ entity: link.child.name, op: 'update', id: String(child.id) });
      }
    }
    await dropTags(manager, id);
    await manager.createQueryBuilder().delete().from(schema.name).where('id = :id', { id }).execute();
    events.push({ entity: schema.name, op: 'delete', id });
  }

  private async checkCaCertificateUnused(manager: EntityManager, id: string): Promise<void> {
    if (!this.source.entities.has('services')) return;
    const service = await manager
      .createQueryBuilder()
      .select('s.id', 'id')
      .from('services', 's')
      .where('s.ca_certificates LIKE :pattern', { pattern: `%${id}%` })
      .getRawOne();
    if (service) {
      throw referencedByOthers(`ca certificate ${id} is still referenced by services (id = ${service.id})`);
    }
  }
}

