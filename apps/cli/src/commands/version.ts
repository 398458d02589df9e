import { tollgateVersion } from '@tollgate/config';
import type { Command } from './types';

export const version: Command = {
  summary: 'print the Tollgate version',
  usage: 'tollgate version',
  async run() {
    process.stdout.write(`tollgate ${tollgateVersion()}\n`);
    return 0;
  },
};
