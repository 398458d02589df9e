// Options of Dao.list, already parsed (the HTTP layer turns query strings into these; see entities/list-query.ts).

export interface TagFilter {
  readonly mode: 'and' | 'or';
  readonly tags: readonly string[];
}

export interface ListOptions {
  /** 1..1000, default 100. */
  readonly size?: number;
  /** Opaque token from a previous page's `offset`. */
  readonly offset?: string;
  readonly tags?: TagFilter;
  /** Equality filters on scalar fields, e.g. {custom_id: 'x'}; a foreign field takes {id}. */
  readonly filters?: Readonly<Record<string, unknown>>;
  /** Path the `next` link starts with (default: the entity's admin path). */
  readonly path?: string;
  /** Extra query appended to `next` after the offset, already encoded (`&tags=a&size=2`). */
  readonly nextQuery?: string;
}

export interface Page<T = Record<string, unknown>> {
  readonly data: T[];
  /** `"/services?offset=..."`, or null on the last page. */
  readonly next: string | null;
  /** Present only when more rows exist, as Kong's envelope. */
  readonly offset?: string;
}

/** Restricts a lookup to the children of one parent (nested URLs, targets within an upstream). */
export interface Scope {
  readonly field: string;
  readonly id: string;
}

export type ChangeOp = 'create' | 'update' | 'delete';

/**
 * Who made a write: an opaque value (the Admin API passes the client's identity, see bootstrap/access-control.ts)
 * that a caller hands the Dao (`dao.as(origin)`) and the Dao hands on with the change events of that write, so a
 * listener (the release recorder) knows who wrote. Passed explicitly rather than through an AsyncLocalStorage: on
 * Node 20 an enabled AsyncLocalStorage runs promise hooks on every promise of the process (an await-heavy loop ran
 * 2.6x slower).
 */
export type WriteOrigin = object;

export interface ChangeEvent {
  readonly entity: string;
  readonly op: ChangeOp;
  readonly id: string;
  /** Who made the write, when the Dao was told: `dao.as(origin)`. */
  readonly origin?: WriteOrigin;
}
