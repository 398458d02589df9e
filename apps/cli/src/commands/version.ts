import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { Command } from './types';

/** The running tree's package.json, found by walking up (the compiled CLI sits deeper than the source). */
export function tollgateRelease(): string {
  for (let dir = __dirname; dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (pkg.name === 'tollgate') return pkg.version;
    } catch { /* keep walking */ }
  }
  return '0.0.0';
}

export const version: Command = {
  summary: 'print the Tollgate version',
  usage: 'tollgate version',
  async run() {
    process.stdout.write(`tollgate ${tollgateRelease()}\n`);
    return 0;
  },
};
