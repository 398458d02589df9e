// `tollgate config db_export | db_import | parse`: the declarative format (_format_version "3.0") against the
// database. db_import validates the whole file before anything is written, then writes it in one transaction,
// merging by id as Kong's db_import does (entities the file does not name are kept).
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Settings } from '@tollgate/config';
import type { DeclarativeErrorBody, FlattenResult, Snapshot } from '@tollgate/declarative';
import { UsageError, type ParsedArgs } from '../args';
import { settingsFromArgs } from '../settings';

// Loaded lazily: `tollgate config check` must not pay for TypeORM and the plugin registry.
const admin = () => ({
  persistence: require('../../../admin/src/persistence') as typeof import('../../../admin/src/persistence'),
  dbless: require('../../../admin/src/dbless') as typeof import('../../../admin/src/dbless'),
  declarative: require('../../../../libs/declarative/src') as typeof import('@tollgate/declarative'),
});

function describeErrors(body: DeclarativeErrorBody): string {
  const lines = [body.message];
  for (const item of body.flattened_errors ?? []) {
    const who = [item.entity_type, item.entity_name ? `'${item.entity_name}'` : '', item.entity_id ? `(${item.entity_id})` : '']
      .filter(Boolean).join(' ');
    for (const error of item.errors) lines.push(`  ${who}: ${error.type === 'field' ? `${error.field}: ` : ''}${error.message}`);
  }
  return lines.join('\n') + '\n';
}

/** Reads and validates FILE in full; prints every problem and returns null when it is not a valid config. */
function loadFile(file: string | undefined, settings: Settings): Snapshot | null {
  if (!file) throw new UsageError('a declarative configuration FILE is required');
  const { declarative, dbless } = admin();
  let text: string;
  try {
    text = readFileSync(resolve(file), 'utf8');
  } catch (err) {
    process.stderr.write(`Error: cannot read ${file}: ${(err as Error).message}\n`);
    return null;
  }
  let doc: unknown;
  const warnings: string[] = [];
  try {
    // files written for decK read DECK_* variables, as `deck gateway sync` renders them before parsing
    doc = declarative.parseDeclarative(declarative.substituteDeckEnv(text), { fileName: file, warnings });
  } catch (err) {
    if (err instanceof declarative.DeckEnvError) {
      process.stderr.write(`Error: ${file}: ${err.message}\n`);
      return null;
    }
    if (!(err instanceof declarative.DeclarativeParseError)) throw err;
    process.stderr.write(`Error: ${describeErrors(declarative.parseErrorBody(err))}`);
    return null;
  }
  // the Admin API's validator (plugin cross-field checks included): a file is held to what POST /plugins enforces
  const { pluginSchemas, source } = dbless.catalogSchemas(settings);
  const result: FlattenResult = declarative.flattenDeclarative(doc, { pluginSchemas, flattenErrors: true, validate: source.validate, warnings });
  for (const warning of warnings) process.stderr.write(`Warning: ${warning}\n`);
  if (result.ok) return result.snapshot;
  process.stderr.write(`Error: ${describeErrors(result.error)}`);
  return null;
}

async function withDatabase<T>(settings: Settings, work: (ds: import('typeorm').DataSource, source: import('../../../admin/src/persistence').SchemaSource) => Promise<T>): Promise<T> {
  if (settings.database === 'off') throw Object.assign(new Error('database = off: there is no database to read or write'), { expected: true });
  const { persistence, dbless } = admin();
  const { source } = dbless.catalogSchemas(settings);
  const dataSource = await persistence.openDataSource(settings, source);
  try {
    return await work(dataSource, source);
  } finally {
    await dataSource.destroy();
  }
}

async function dbExport(args: ParsedArgs, file: string | undefined): Promise<number> {
  const format = args.flags.format ?? 'yaml';
  if (format !== 'yaml' && format !== 'json') throw new UsageError(`--format must be yaml or json, not '${String(format)}'`);
  const target = file ? resolve(file) : undefined;
  if (target && existsSync(target) && !args.flags.force) {
    process.stderr.write(`${target} already exists (use --force to overwrite)\n`);
    return 1;
  }
  const settings = settingsFromArgs(args);
  const { persistence, declarative } = admin();
  const snapshot = await withDatabase(settings, async (dataSource, source) => {
    if ((await persistence.migrationStatus(dataSource)).some((m) => !m.executed)) return null;
    return new persistence.Dao(dataSource, source).exportAll();
  });
  if (!snapshot) {
    process.stderr.write('Error: the database has pending migrations; run `tollgate migrations up` first\n');
    return 1;
  }
  const text = declarative.exportDeclarative(snapshot, { format, nested: args.flags.nested === true });
  if (target) {
    writeFileSync(target, text);
    process.stderr.write(`exported the configuration to ${target}\n`);
  } else process.stdout.write(text);
  return 0;
}

async function dbImport(args: ParsedArgs, file: string | undefined): Promise<number> {
  const settings = settingsFromArgs(args);
  const snapshot = loadFile(file, settings);
  if (!snapshot) return 1;
  const { persistence, dbless } = admin();
  const result = await withDatabase(settings, async (dataSource, source) => {
    // the database is created on first use, as `tollgate start` does
    await persistence.applyMigrations(dataSource, 'up');
    const stored = await dbless.storeSnapshot(dataSource, source, snapshot, 'merge');
    await recordImport(dataSource, source, settings);
    return stored;
  }).catch((err: unknown) => {
    const body = (err as { body?: { message?: string } }).body;
    if (typeof body?.message !== 'string') throw err;
    process.stderr.write(`Error: import failed, nothing was written: ${body.message}\n`);
    return null;
  });
  if (!result) return 1;
  const counts = Object.entries(result.written).map(([entity, n]) => `${entity} ${n}`);
  const total = Object.values(result.written).reduce((a, b) => a + b, 0);
  process.stdout.write(`import successful: ${total} entities${counts.length ? ` (${counts.join(', ')})` : ''}\n`);
  return 0;
}

/** The imported configuration becomes a release (source `cli`), as every committed change does. */
async function recordImport(dataSource: import('typeorm').DataSource, source: import('../../../admin/src/persistence').SchemaSource, settings: Settings): Promise<void> {
  const { persistence, declarative } = admin();
  const { ReleaseStore } = require('../../../admin/src/cluster/releases/release-store') as typeof import('../../../admin/src/cluster/releases/release-store');
  const config = await new persistence.Dao(dataSource, source).exportAll();
  const store = new ReleaseStore({ dataSource, transact: (work) => dataSource.transaction(work) }, settings.config_release_history);
  await store.append({ hash: declarative.hashSnapshot(config), config, source: { type: 'cli' } });
}

function parse(args: ParsedArgs, file: string | undefined): number {
  return loadFile(file, settingsFromArgs(args)) ? (process.stdout.write('parse successful\n'), 0) : 1;
}

/** Runs one declarative sub-command; undefined when `sub` is not one of them. */
export function runDeclarative(sub: string | undefined, args: ParsedArgs): Promise<number> | undefined {
  const file = args.positionals[1];
  switch (sub) {
    case 'db_export': return dbExport(args, file);
    case 'db_import': return dbImport(args, file);
    case 'parse': return Promise.resolve(parse(args, file));
    default: return undefined;
  }
}

export const DECLARATIVE_USAGE =
  'tollgate config db_export [FILE] [--format yaml|json] [--nested] [--force] | db_import FILE | parse FILE  [-c FILE]';
