import { existsSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { renderDefaultConf, type ListenEntry, type Settings } from '@tollgate/config';
import { UsageError } from '../args';
import { settingsFromArgs } from '../settings';
import { DECLARATIVE_USAGE, runDeclarative } from './declarative';
import type { Command } from './types';

const LISTEN_KEYS = ['proxy_listen', 'stream_listen', 'admin_listen', 'status_listen', 'cluster_listen'] as const;

function describeListeners(settings: Settings): string {
  const lines: string[] = [];
  for (const key of LISTEN_KEYS) {
    const entries = settings[key.replace('_listen', '_listeners') as keyof Settings] as readonly ListenEntry[];
    if (entries.length === 0) { lines.push(`${key.padEnd(15)} off`); continue; }
    for (const e of entries) lines.push(`${key.padEnd(15)} ${e.listener}`);
  }
  return lines.join('\n');
}

export const config: Command = {
  summary: 'check a configuration file, write a default one, or export/import/parse a declarative config',
  usage: `tollgate config check [-c FILE] | tollgate config init [FILE] [--force] | ${DECLARATIVE_USAGE}`,
  async run(args) {
    const [sub, file] = args.positionals;
    switch (sub) {
      case 'check': {
        const settings = settingsFromArgs(args);
        process.stdout.write(`configuration is valid (role ${settings.role}, database ${settings.database}, prefix ${settings.prefix})\n`);
        process.stdout.write(`${describeListeners(settings)}\n`);
        return 0;
      }
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
        throw new UsageError(sub ? `unknown config sub-command '${sub}'` : 'config needs a sub-command');
      }
    }
  },
};
