import { checkConfig } from './config';
import type { Command } from './types';

/** `kong check <conf>`: the same as `tollgate config check`. */
export const check: Command = {
  summary: 'check a configuration file (alias of `config check`)',
  usage: 'tollgate check [FILE | -c FILE]',
  positionals: 1,
  run: (args) => checkConfig(args, args.positionals[0]),
};
