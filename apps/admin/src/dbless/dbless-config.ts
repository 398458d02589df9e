// The configuration of a DB-less node: validated in full, then swapped into the in-memory store in one
// transaction, then one snapshot rebuild feeds the data-plane workers. A bad config changes nothing.
import { createHash } from 'node:crypto';
import type { DataSource } from 'typeorm';
import {
  configHash32, DeclarativeParseError, EMPTY_CONFIG_HASH32, flattenDeclarative, parseDeclarative, parseErrorBody,
  type DeclarativeErrorBody, type Snapshot,
} from '@tollgate/declarative';
import type { FieldList } from '@tollgate/schema';
import type { SnapshotService } from '../cluster/snapshot.service';
import type { SchemaSource } from '../persistence/schema-source';
import { storeSnapshot } from './snapshot-store';

export interface DblessConfigDeps {
  readonly dataSource: DataSource;
  readonly source: SchemaSource;
  readonly snapshots: SnapshotService;
  readonly pluginSchemas?: ReadonlyMap<string, FieldList>;
  /** Largest config (bytes of its JSON form) the node holds: Kong's `lmdb_map_size`, default 2048m. */
  readonly maxConfigBytes?: number;
  /** How long `load` waits for the store and the snapshot rebuild before answering 504 (default 60 s). */
  readonly loadTimeoutMs?: number;
  /** What a loaded file got away with (repeated YAML keys, migrated 1.1/2.1 paths, ignored decK metadata). */
  readonly onWarning?: (message: string) => void;
}

/** A config as submitted: the text (file, YAML/JSON body, `config` parameter) or an already decoded table. */
export type ConfigInput = { readonly text: string; readonly fileName?: string } | { readonly table: unknown };

export interface LoadOptions {
  /** `check_hash=1`: a text equal to the one loaded last is not loaded again (304). */
  readonly checkHash?: boolean;
  readonly flattenErrors?: boolean;
  /** Overrides the deps' `loadTimeoutMs`; Infinity waits for completion. */
  readonly timeoutMs?: number;
}

export type LoadOutcome =
  | { readonly status: 201; readonly snapshot: Snapshot }
  | { readonly status: 304 }
  | { readonly status: 400; readonly body: DeclarativeErrorBody }
  | { readonly status: 413 | 429 | 503 | 504 };

export const DEFAULT_MAX_CONFIG_BYTES = 2048 * 1024 * 1024;
export const DEFAULT_LOAD_TIMEOUT_MS = 60_000;

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export class DblessConfig {
  private loadedMd5: string | null = null;
  private loading = false;
  private exiting = false;

  constructor(private readonly deps: DblessConfigDeps) {}

  /** True once a configuration was loaded (from `declarative_config` or `POST /config`). */
  configured(): boolean {
    return this.loadedMd5 !== null;
  }

  /** `/status` configuration_hash: the applied snapshot's (as data planes report it), 32 zeros before any config. */
  hash32(): string {
    return this.configured() ? configHash32(this.deps.snapshots.current().hash) : EMPTY_CONFIG_HASH32;
  }

  /** The node is shutting down: no new configuration is taken (503). */
  beginExit(): void {
    this.exiting = true;
  }

  /**
   * Validates, then replaces the whole configuration. Never half-applies: the store write is one transaction.
   * A load that outlives `loadTimeoutMs` answers 504 but still completes (later loads get 429 until it does).
   */
  async load(input: ConfigInput, opts: LoadOptions = {}): Promise<LoadOutcome> {
    if (this.exiting) return { status: 503 };
    if (this.loading) return { status: 429 };
    const digest = 'text' in input ? md5(input.text) : md5(JSON.stringify(input.table));
    if ('text' in input && opts.checkHash && digest === this.loadedMd5) return { status: 304 };
    let doc: unknown;
    const warnings: string[] = [];
    if ('text' in input) {
      try {
        doc = parseDeclarative(input.text, { fileName: input.fileName, warnings });
      } catch (err) {
        if (err instanceof DeclarativeParseError) return { status: 400, body: parseErrorBody(err) };
        throw err;
      }
    } else doc = input.table;
    const result = flattenDeclarative(doc, {
      pluginSchemas: this.deps.pluginSchemas,
      flattenErrors: opts.flattenErrors,
      validate: this.deps.source.validate, // the Admin API's own rules, plugin cross-field checks included
      warnings,
    });
    if (!result.ok) return { status: 400, body: result.error };
    for (const warning of warnings) this.deps.onWarning?.(warning);
    if (Buffer.byteLength(JSON.stringify(result.snapshot)) > (this.deps.maxConfigBytes ?? DEFAULT_MAX_CONFIG_BYTES)) {
      return { status: 413 };
    }
    return this.apply(result.snapshot, digest, opts.timeoutMs ?? this.deps.loadTimeoutMs ?? DEFAULT_LOAD_TIMEOUT_MS);
  }

  private async apply(snapshot: Snapshot, digest: string, timeoutMs: number): Promise<LoadOutcome> {
    const started = performance.now();
    this.loading = true;
    const applied = (async () => {
      try {
        await storeSnapshot(this.deps.dataSource, this.deps.source, snapshot, 'replace');
        await this.rebuildSnapshot();
        this.loadedMd5 = digest;
      } finally {
        this.loading = false;
      }
    })();
    if (!Number.isFinite(timeoutMs)) {
      await applied;
      return { status: 201, snapshot };
    }
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), timeoutMs)));
    try {
      const first = await Promise.race([applied, timedOut]);
      // the store may never yield to the timer (in-memory SQLite is synchronous): measure as well
      if (first === 'timeout' || performance.now() - started > timeoutMs) {
        applied.catch(() => {}); // finishes on its own; a failure is as if it never started
        return { status: 504 };
      }
    } finally {
      clearTimeout(timer);
    }
    return { status: 201, snapshot };
  }

  private async rebuildSnapshot(): Promise<void> {
    // The store bypasses the Dao (no per-row events): ask for a full rebuild, and wait for it.
    this.deps.snapshots.invalidate();
    await this.deps.snapshots.settle();
  }
}

/** `POST /config` 201 body: entities keyed by type, then by id (Kong's flattened entity map). */
export function entityMap(snapshot: Snapshot): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [entity, rows] of Object.entries(snapshot)) {
    if (!Array.isArray(rows)) continue;
    out[entity] = Object.fromEntries(rows.map((row: { id: string }) => [row.id, row]));
  }
  return out;
}
