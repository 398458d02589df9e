import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ROLE_LISTENERS, type ListenEntry, renderDefaultConf, type Settings } from '@tollgate/config';
import { UsageError, type ParsedArgs } from '../args';
import { ignoredKeysWarning, settingsReportFromArgs, sourceLines } from '../settings';
import { DECLARATIVE_USAGE, runDeclarative } from './declarative';
import { RELEASES_USAGE, runReleases } from './releases';
import type { Command } from './types';

/** Only the listeners the role opens (a control plane opens no proxy, a traditional node no cluster listener). */
function describeListeners(settings: Settings): string {
  const lines: string[] = [];
  for (const kind of ROLE_LISTENERS[settings.role]) {
    const key = `${kind}_listen`;
    const entries = settings[`${kind}_listeners`] as readonly ListenEntry[];
    if (entries.length === 0) { lines.push(`${key.padEnd(15)} off`); continue; }
    for (const e of entries) lines.push(`${key.padEnd(15)} ${e.listener}`);
  }
  return lines.join('\n');
}

/** `config check [FILE]` and `check [FILE]` (as `kong check <conf>`): FILE is the same as `-c FILE`. */
export function checkConfig(args: ParsedArgs, file: string | undefined): Promise<number> {
  if (file !== undefined && typeof args.flags.conf === 'string' && resolve(file) !== resolve(args.flags.conf)) {
    throw new UsageError(`two configuration files given: '${file}' and -c '${args.flags.conf}'`);
  }
  // the same load and checks as `tollgate start`: what start would refuse, check refuses
  const report = settingsReportFromArgs(file === undefined ? args : { ...args, flags: { ...args.flags, conf: file } });
  const { settings } = report;
  process.stdout.write(`configuration is valid (role ${settings.role}, database ${settings.database}, prefix ${settings.prefix})\n`);
  process.stdout.write(`${describeListeners(settings)}\n`);
  for (const { text } of sourceLines(report)) process.stdout.write(`${text}\n`);
  const warning = ignoredKeysWarning(report);
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  return Promise.resolve(0);
}

/** Arguments each sub-command takes after its name: one more is a usage error, never silently ignored. */
const SUB_ARGUMENTS: Readonly<Record<string, number>> = { check: 1, init: 1, db_export: 1, db_import: 1, parse: 1, history: 0, diff: 2, rollback: 1 };

export const config: Command = {
  summary: 'check a configuration file, write a default one, or export/import/parse a declarative config',
  usage: `tollgate config check [-c FILE | FILE] | tollgate config init [FILE] [--force] | ${DECLARATIVE_USAGE} | ${RELEASES_USAGE}`,
  positionals: 3,
  async run(args) {
    const [sub, file] = args.positionals;
    const extra = sub !== undefined && sub in SUB_ARGUMENTS ? args.positionals.slice(1 + SUB_ARGUMENTS[sub]) : [];
    if (extra.length > 0) throw new UsageError(`unexpected argument${extra.length > 1 ? 's' : ''} for 'config ${sub}': ${extra.map((a) => `'${a}'`).join(' ')}`);
    switch (sub) {
      case 'check':
        return checkConfig(args, file);
      case 'init': {
        const target = resolve(file ?? 'tollgate.conf');
        if (existsSync(target) && !args.flags.force) {
          process.stderr.write(`${target} already exists (use --force to overwrite)\n`);
          return 1;
        }
        writeFileSync(target, renderDefaultConf());
        process.stdout.write(`wrote ${target}\n`);
        return 0;
      }
      default: {
        const declarative = runDeclarative(sub, args);
        if (declarative) return declarative;
        const releases = runReleases(sub, args);
        if (releases) return releases;
        throw new UsageError(sub ? `unknown config sub-command '${sub}'` : 'config needs a sub-command');
      }
    }
  },
};
