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
}

/** A config as submitted: the text (file, YAML/JSON body, `config` parameter) or an already decoded table. */
export type ConfigInput = { readonly text: string; readonly fileName?: string } | { readonly table: unknown };

export interface LoadOptions {
  /** `check_hash=1`: a text equal to the one loaded last is not loaded again (304). */
  readonly checkHash?: boolean;
  readonly flattenErrors?: boolean;
}

export type LoadOutcome =
  | { readonly status: 201; readonly snapshot: Snapshot }
  | { readonly status: 304 }
  | { readonly status: 400; readonly body: DeclarativeErrorBody }
  | { readonly status: 429 };

const md5 = (text: string) => createHash('md5').update(text).digest('hex');

export class DblessConfig {
  private loadedMd5: string | null = null;
  private loading = false;

  constructor(private readonly deps: DblessConfigDeps) {}

  /** True once a configuration was loaded (from `declarative_config` or `POST /config`). */
  configured(): boolean {
    return this.loadedMd5 !== null;
  }

  /** `/status` configuration_hash: the applied snapshot's (as data planes report it), 32 zeros before any config. */
  hash32(): string {
    return this.configured() ? configHash32(this.deps.snapshots.current().hash) : EMPTY_CONFIG_HASH32;
  }

  /** Validates, then replaces the whole configuration. Never half-applies: the store write is one transaction. */
  async load(input: ConfigInput, opts: LoadOptions = {}): Promise<LoadOutcome> {
    if (this.loading) return { status: 429 };
    const digest = 'text' in input ? md5(input.text) : md5(JSON.stringify(input.table));
    if ('text' in input && opts.checkHash && digest === this.loadedMd5) return { status: 304 };
    let doc: unknown;
    if ('text' in input) {
      try {
        doc = parseDeclarative(input.text, { fileName: input.fileName });
      } catch (err) {
        if (err instanceof DeclarativeParseError) return { status: 400, body: parseErrorBody(err) };
        throw err;
      }
    } else doc = input.table;
    const result = flattenDeclarative(doc, { pluginSchemas: this.deps.pluginSchemas, flattenErrors: opts.flattenErrors });
    if (!result.ok) return { status: 400, body: result.error };

    this.loading = true;
    try {
      await storeSnapshot(this.deps.dataSource, this.deps.source, result.snapshot, 'replace');
      await this.rebuildSnapshot();
      this.loadedMd5 = digest;
    } finally {
      this.loading = false;
    }
    return { status: 201, snapshot: result.snapshot };
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
