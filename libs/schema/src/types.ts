// Contract of THE source of truth: one EntitySchema per entity. Validation, TypeORM tables, OpenAPI components,
// `/schemas/{name}` and the declarative format are all derived from these objects (DESIGN.md rule 1).

export type FieldType =
  | 'string' | 'integer' | 'number' | 'boolean'
  | 'array' | 'set' | 'map' | 'record' | 'foreign' | 'json';

export interface FieldDef {
  readonly type: FieldType;
  readonly description?: string;
  readonly example?: unknown;
  readonly required?: boolean;
  readonly unique?: boolean;
  readonly default?: unknown; // deep-copied when applied
  /** id (uuid) and created_at/updated_at (timestamps) are filled by the DAO, never by the client alone. */
  readonly auto?: boolean;
  readonly uuid?: boolean;
  readonly timestamp?: 'seconds' | 'milliseconds'; // targets use float seconds with ms precision
  readonly immutable?: boolean;
  /** Kong's `referenceable`: the value may be a vault reference (`{vault://env/NAME}`), resolved on the data plane. */
  readonly referenceable?: boolean;
  /** Never returned by the Admin API (e.g. a password hash is returned, a raw secret is not). */
  readonly writeOnly?: boolean;
  // scalar checks (Kong validator names)
  readonly len_min?: number;
  readonly len_max?: number;
  readonly between?: readonly [number, number];
  readonly gt?: number;
  readonly one_of?: readonly (string | number)[];
  readonly match?: RegExp; // with matchMessage
  readonly matchMessage?: string;
  readonly starts_with?: string;
  /** Custom check: returns a Kong message or undefined. */
  readonly custom?: (value: unknown) => string | undefined;
  // containers
  readonly elements?: FieldDef; // array / set
  readonly keys?: FieldDef; // map
  readonly values?: FieldDef; // map
  readonly fields?: FieldList; // record
  // foreign keys
  readonly reference?: string; // entity name, e.g. 'services'
  readonly on_delete?: 'cascade' | 'restrict' | 'null';
  // --- optional extensions (libs/schema) ---
  /** Array/string exact length (`length must be %d`). */
  readonly len_eq?: number;
  readonly not_one_of?: readonly (string | number)[];
  /** Sets only: groups of values that may not be mixed (routes.protocols). */
  readonly mutually_exclusive_subsets?: ReadonlyArray<readonly string[]>;
  /** Absent record -> null instead of a record of defaults. */
  readonly nullable?: boolean;
  /** Input-only field the DAO consumes (certificates.snis); returned only when the DAO puts it in the row. */
  readonly transient?: boolean;
  /** Rewrites a valid value before storing (targets.target gets its default port). */
  readonly normalize?: (value: unknown) => unknown;
  /** Checks over a record value's own fields (routes.sources elements). */
  readonly entity_checks?: readonly EntityCheck[];
  /** Record whose fields depend on the entity (plugins.config by plugin name). Returns undefined when unknown. */
  readonly resolveFields?: (entity: Record<string, unknown>, opts: ValidateOptions) => FieldList | undefined;
  /** With resolveFields: the error to report when the fields cannot be resolved (unknown plugin name). */
  readonly unresolved?: (entity: Record<string, unknown>) => { field: string; message: string } | undefined;
}

export type FieldList = ReadonlyArray<readonly [string, FieldDef]>;

/** An entity-level check; returns messages that go to fields['@entity'] (or to a field, via `field`). */
export interface EntityCheck {
  readonly check: (entity: Record<string, unknown>) => ReadonlyArray<{ field?: string; message: string }>;
  /** Fields the check reads: it is skipped when one of them already has an error. Without it the check runs
   *  only when no field has an error. */
  readonly fields?: readonly string[];
  /** What `/schemas/{entity}` shows for this check (Kong's entity_checks entry), e.g. {at_least_one_of: [...]}. */
  readonly kongJson?: Record<string, unknown>;
}

export interface EntitySchema {
  readonly name: string; // table / collection name: 'services', 'keyauth_credentials'
  readonly adminPath: string; // '/services', '/key-auths'
  readonly primaryKey: readonly string[]; // ['id']
  readonly endpointKey?: string; // 'name', 'username', 'instance_name', 'target'
  /** Composite uniqueness enforced besides per-field `unique` (plugins: name+route+service+consumer). */
  readonly cacheKey?: readonly string[];
  /** Endpoint key unique only within the parent (targets within upstream). */
  readonly endpointKeyScope?: string;
  readonly fields: FieldList;
  readonly entityChecks?: readonly EntityCheck[];
  /** Input-only shorthand fields expanded before validation (service `url`). Never stored or returned. */
  readonly shorthands?: ReadonlyArray<{
    readonly name: string;
    readonly field: FieldDef;
    readonly expand: (value: unknown) => Record<string, unknown>;
  }>;
  /** Applied after validation before storing (e.g. basic-auth password hashing). */
  readonly transform?: (entity: Record<string, unknown>, previous?: Record<string, unknown>) => Record<string, unknown>;
  /** Entities owned by a plugin (credentials) carry the plugin name. */
  readonly plugin?: string;
  readonly description?: string;
  // --- optional extensions (libs/schema) ---
  /** Input massaging before defaults/merge (upstreams' algorithm/hash_on side effects, grpc routes' strip_path). */
  readonly prepare?: (input: Record<string, unknown>, mode: ValidateOptions['mode']) => Record<string, unknown>;
  /** URL segment when nested under its parent, if different from adminPath (credentials: 'key-auth'). */
  readonly nestedName?: string;
  /** Kong's `ttl = true` DAOs (key-auth). */
  readonly ttl?: boolean;
  /** Not addressable over the Admin API top level (Kong disables /targets). */
  readonly adminDisabled?: boolean;
  /** No Admin API endpoints at all (Kong's `generate_admin_api = false`: oauth2 authorization codes). */
  readonly noAdminApi?: boolean;
  /** A field a nested URL may address instead of the id, within the parent only (acls' group: Kong's acl
   *  api.lua resolves `/consumers/{c}/acls/{group}` by the (consumer, group) cache key). */
  readonly scopedEndpointKey?: string;
  /** Rows the proxy writes at request time (oauth2 tokens and codes, sessions): stored, but never part of a
   *  config snapshot; the data plane reaches them through its entity store. */
  readonly runtimeData?: boolean;
}

/** Per-field error tree, exactly Kong's `fields` shape: strings, nested objects, arrays padded with null. */
export type FieldErrors = { [key: string]: string | string[] | FieldErrors | (string | null)[] };

export type ValidationResult =
  | { ok: true; value: Record<string, unknown> }
  | { ok: false; fields: FieldErrors };

export interface ValidateOptions {
  /** 'insert' fills defaults and requires required fields; 'update' (PATCH) validates only given keys
   *  merged onto `previous`; 'upsert' (PUT) rebuilds in full. */
  readonly mode: 'insert' | 'update' | 'upsert';
  readonly previous?: Record<string, unknown>;
  /** Plugin config validation hooks (libs/plugins registers these). */
  readonly pluginSchemas?: ReadonlyMap<string, FieldList>;
  // --- optional extensions (libs/schema) ---
  /** Clock in ms for id/timestamp filling; default Date.now(). */
  readonly now?: number;
  /** false: do not generate id/timestamps/auto keys (default true). */
  readonly autoFields?: boolean;
  /** false: skip schema.transform (e.g. keep a basic-auth password in clear; default true). */
  readonly transform?: boolean;
}
