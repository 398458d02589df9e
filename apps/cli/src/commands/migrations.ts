import { UsageError } from '../args';
import { settingsFromArgs } from '../settings';
import type { Command } from './types';

export const migrations: Command = {
  summary: 'manage the database schema: up, list, reset',
  usage: 'tollgate migrations up|list|reset [-c FILE] [--force]',
  positionals: 1,
  async run(args) {
    const [sub] = args.positionals;
    if (sub !== 'up' && sub !== 'list' && sub !== 'reset') throw new UsageError('migrations needs one of: up, list, reset');
    if (sub === 'reset' && !args.flags.force) {
      process.stderr.write('migrations reset deletes every entity; run again with --force to confirm\n');
      return 1;
    }
    const settings = settingsFromArgs(args);
    if (settings.database === 'off') {
      process.stderr.write('database = off: there is no database to migrate\n');
      return 1;
    }
    const { runMigrations } = require('../../../admin/src/persistence') as typeof import('../../../admin/src/persistence');
    const report = await runMigrations(settings, sub);
    process.stdout.write(typeof report === 'string' ? report + '\n' : JSON.stringify(report, null, 2) + '\n');
    return 0;
  },
};
