// One error for the whole configuration: operators fix every bad key in one pass instead of one per start.
export type ValueSource = 'default' | 'file' | 'env' | 'cli';

export interface ConfigProblem {
  /** kong.conf key the problem is about ('' when the line has no key). */
  readonly key: string;
  /** The value as written (raw text), '' when none. */
  readonly value: string;
  /** 1-based line in the configuration file, when the value came from it. */
  readonly line?: number;
  readonly message: string;
  /** Where the value came from (absent = unknown / cross-key). */
  readonly source?: ValueSource;
  /** File name, when source = 'file'. */
  readonly file?: string;
  /** Environment variable, when source = 'env' (TOLLGATE_<KEY>, or Kong's KONG_<KEY>). */
  readonly variable?: string;
  /** The Kong key the value was written as, when it is mapped onto `key` (nginx_worker_processes). */
  readonly alias?: string;
}

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];

  constructor(problems: readonly ConfigProblem[]) {
    super(formatProblems(problems));
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

function where(problem: ConfigProblem): string {
  if (problem.source === 'file' && problem.file) return problem.line ? `${problem.file}:${problem.line}` : problem.file;
  if (problem.source === 'env') return `env ${problem.variable ?? `TOLLGATE_${problem.key.toUpperCase()}`}`;
  if (problem.source === 'cli') return 'command line';
  if (problem.source === 'default') return 'default';
  return 'configuration';
}

/** `invalid configuration (2 problems):` then one `  - <where>: <message> [<key> = <value>]` line per problem. */
export function formatProblems(problems: readonly ConfigProblem[]): string {
  const count = problems.length === 1 ? '1 problem' : `${problems.length} problems`;
  const lines = problems.map((p) => {
    const shown = p.key && p.value !== '' ? ` [${p.alias ?? p.key} = ${p.value}]` : '';
    return `  - ${where(p)}: ${p.message}${shown}`;
  });
  return [`invalid configuration (${count}):`, ...lines].join('\n');
}
