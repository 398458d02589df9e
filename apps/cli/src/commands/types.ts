import type { ParsedArgs } from '../args';

export interface Command {
  readonly summary: string;
  readonly usage: string;
  run(args: ParsedArgs): Promise<number>;
}
