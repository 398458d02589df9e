// A deliberately tiny argv parser: the CLI has few flags, and their spelling follows `kong <cmd> -c -p`.
export interface ParsedArgs {
  readonly positionals: string[];
  readonly flags: Readonly<Record<string, string | true>>;
}

const ALIASES: Record<string, string> = { c: 'conf', p: 'prefix', f: 'force', h: 'help', v: 'verbose', t: 'timeout', w: 'wait' };
const TAKES_VALUE = new Set(['conf', 'prefix', 'format', 'timeout', 'wait', 'cert', 'key', 'days', 'output']);

export class UsageError extends Error {}

/** A whole number of seconds option (`--timeout 10`, `--wait 0`), or `fallback` when absent. */
export function secondsFlag(args: ParsedArgs, name: string, fallback: number): number {
  const value = args.flags[name];
  if (value === undefined) return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !/^\d+(\.\d+)?$/.test(value) || !Number.isFinite(n)) {
    throw new UsageError(`--${name} expects a number of seconds, got '${String(value)}'`);
  }
  return n;
}

export function parseArgs(argv: readonly string[]): ParsedArgs {
  const positionals: string[] = [];
  const flags: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--') { positionals.push(...argv.slice(i + 1)); break; }
    if (!arg.startsWith('-') || arg === '-') { positionals.push(arg); continue; }
    let name = arg.replace(/^--?/, '');
    let value: string | undefined;
    const eq = name.indexOf('=');
    if (eq >= 0) { value = name.slice(eq + 1); name = name.slice(0, eq); }
    name = ALIASES[name] ?? name;
    if (TAKES_VALUE.has(name)) {
      if (value === undefined) {
        value = argv[++i];
        if (value === undefined) throw new UsageError(`option --${name} needs a value`);
      }
      flags[name] = value;
    } else {
      if (value !== undefined) throw new UsageError(`option --${name} takes no value`);
      flags[name] = true;
    }
  }
  return { positionals, flags };
}
