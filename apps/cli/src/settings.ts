// Every command loads settings the same way, so `-c`/`-p` mean the same thing everywhere.
import { loadSettings, type Settings } from '@tollgate/config';
import { resolve } from 'node:path';
import type { ParsedArgs } from './args';
import { isAlive, readPid } from './supervisor/pidfile';

export function settingsFromArgs(args: ParsedArgs): Settings {
  const conf = typeof args.flags.conf === 'string' ? args.flags.conf : undefined;
  const prefix = typeof args.flags.prefix === 'string' ? args.flags.prefix : undefined;
  return loadSettings({ file: conf, prefix, env: process.env });
}

/** The prefix a command acts on: `-p` when given (no need for a valid configuration), else the configured one. */
export function prefixFromArgs(args: ParsedArgs): string {
  return typeof args.flags.prefix === 'string' ? resolve(args.flags.prefix) : settingsFromArgs(args).prefix;
}

/** The node a command acts on (`stop`, `health`): its prefix and live pid, or null after saying it is not running. */
export function runningNodeFromArgs(args: ParsedArgs): { prefix: string; pid: number } | null {
  const prefix = prefixFromArgs(args);
  const pid = readPid(prefix);
  if (pid === null || !isAlive(pid)) {
    process.stderr.write(`tollgate is not running in ${prefix}\n`);
    return null;
  }
  return { prefix, pid };
}
