// The `tollgate` command. Each sub-command lives in commands/<name>.ts; this file only dispatches.
import './signals/inspector-guard';
import { parseArgs, UsageError } from './args';
import { COMMANDS, usage } from './commands';

export async function run(argv: readonly string[]): Promise<number> {
  let args;
  try {
    args = parseArgs(argv);
  } catch (err) {
    process.stderr.write(`Error: ${(err as Error).message}\n\n${usage()}`);
    return 2;
  }
  const [name, ...rest] = args.positionals;
  if (!name || args.flags.help || name === 'help') {
    process.stdout.write(usage());
    return name || args.flags.help ? 0 : 2;
  }
  const command = COMMANDS[name];
  if (!command) {
    process.stderr.write(`Error: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  try {
    if (rest.length > command.positionals) {
      throw new UsageError(`unexpected argument${rest.length - command.positionals > 1 ? 's' : ''} for '${name}': ${rest.slice(command.positionals).map((a) => `'${a}'`).join(' ')} (usage: ${command.usage})`);
    }
    return await command.run({ positionals: rest, flags: args.flags });
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`Error: ${err.message}\n\n${usage()}`);
      return 2;
    }
    // Config errors and refusals carry operator-facing text; no stack traces for expected failures.
    const e = err as Error & { expected?: boolean; problems?: unknown };
    process.stderr.write(`Error: ${e.message}\n`);
    if (!e.problems && !e.expected && process.env.TOLLGATE_DEBUG) process.stderr.write(`${e.stack}\n`);
    return 1;
  }
}

if (require.main === module) {
  run(process.argv.slice(2)).then(
    (code) => { process.exitCode = code; },
    (err) => { process.stderr.write(`${err?.stack ?? err}\n`); process.exitCode = 1; },
  );
}
