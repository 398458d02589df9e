import { tollgateVersion } from '@tollgate/config';
import type { Command } from './types';

export const version: Command = {
  summary: 'print the Tollgate version',
  usage: 'tollgate version',
  positionals: 0,
  async run() {
    process.stdout.write(`tollgate ${tollgateVersion()}\n`);
    return 0;
  },
};
