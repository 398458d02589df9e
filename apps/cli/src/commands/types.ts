import type { ParsedArgs } from '../args';

export interface Command {
  readonly summary: string;
  readonly usage: string;
  /** How many positional arguments the command takes (its sub-command included); more is a usage error. */
  readonly positionals: number;
  run(args: ParsedArgs): Promise<number>;
}
