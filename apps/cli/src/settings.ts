// Every command loads settings the same way, so `-c`/`-p` mean the same thing everywhere.
import { loadSettingsReport, type LoadReport, type Settings } from '@tollgate/config';
import { resolve } from 'node:path';
import type { ParsedArgs } from './args';
import { isAlive, readPid } from './supervisor/pidfile';

export function settingsFromArgs(args: ParsedArgs): Settings {
  return settingsReportFromArgs(args).settings;
}

/** The settings plus what `start` and `config check` both tell the operator (ignored Kong keys, env used). */
export function settingsReportFromArgs(args: ParsedArgs): LoadReport {
  const conf = typeof args.flags.conf === 'string' ? args.flags.conf : undefined;
  const prefix = typeof args.flags.prefix === 'string' ? args.flags.prefix : undefined;
  return loadSettingsReport({ file: conf, prefix, env: process.env });
}

/** The one warning that lists every Kong key accepted without effect, with its reason; null when none. */
export function ignoredKeysWarning(report: LoadReport): string | null {
  const lines = report.ignored.map(({ key, where, reason }) => `  ${key} (${where}): ${reason}`);
  if (report.unrelatedEnv.length > 0) {
    lines.push(`  ${report.unrelatedEnv.join(', ')}: environment variables that name no configuration key (Kong ignores them too)`);
  }
  if (lines.length === 0) return null;
  return [`ignoring ${lines.length} Kong setting(s) that have no effect in Tollgate:`, ...lines].join('\n');
}

export interface SourceLine {
  readonly key: string;
  readonly text: string;
}

/** Where keys came from when not from their own name in the file: the environment variable used (and the KONG_ one
 *  it won over), or the Kong key read as a Tollgate key. */
export function sourceLines(report: LoadReport): SourceLine[] {
  return [
    ...report.aliased.map(({ from, to, where }) => ({ key: to, text: `${to} from ${from} (${where})` })),
    ...report.environment.map(({ key, variable, over }) =>
      ({ key, text: `${key} from ${variable}${over ? ` (${variable} wins over ${over})` : ''}` })),
  ];
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
