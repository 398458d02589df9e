// The shapes of config releases on the wire (snake_case, as every Admin API body).

/** Who committed the change(s) a release holds. */
export interface ReleaseSource {
  /** admin: an Admin API write; cli: `tollgate config db_import`; declarative: a declarative load; startup: a control
   *  plane found the database ahead of the last release (written while no control plane recorded it). */
  readonly type: 'admin' | 'cli' | 'declarative' | 'startup';
  /** Admin API client address (admin only). */
  readonly client_ip?: string | null;
  /** Which admin_api_key authorised the write: `sha256:` and the first 12 hex digits of its digest, never the key. */
  readonly api_key?: string | null;
  /** Admin API writes coalesced into this release. */
  readonly writes?: number;
  /** Set when the release is a rollback: the release whose configuration it restores. */
  readonly rollback_of?: number;
}

/** Rows created, updated and deleted per entity, relative to the parent release. */
export type ReleaseSummary = Record<string, { created: number; updated: number; deleted: number }>;

export interface Release {
  readonly number: number;
  readonly hash: string;
  readonly parent: number | null;
  /** Epoch seconds with millisecond precision. */
  readonly created_at: number;
  readonly source: ReleaseSource;
  readonly summary: ReleaseSummary;
}

export interface ReleasePage {
  readonly data: Release[];
  readonly next: string | null;
  readonly offset?: string;
}
