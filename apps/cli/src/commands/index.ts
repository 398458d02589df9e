import { check } from './check';
import { cluster } from './cluster';
import { config } from './config';
import { firewall } from './firewall';
import { health } from './health';
import { logs } from './logs';
import { migrations } from './migrations';
import { prepare } from './prepare';
import { quit } from './quit';
import { reload } from './reload';
import { restart } from './restart';
import { start } from './start';
import { stop } from './stop';
import type { Command } from './types';
import { version } from './version';

export const COMMANDS: Readonly<Record<string, Command>> = {
  start, stop, quit, restart, reload, prepare, health, check, config, logs, firewall, migrations, cluster, version,
};

export function usage(): string {
  const rows = Object.entries(COMMANDS).map(([name, c]) => `  ${name.padEnd(11)} ${c.summary}\n  ${' '.repeat(11)} ${c.usage}`);
  return `Usage: tollgate <command> [options]\n\nCommands:\n${rows.join('\n')}\n\nOptions: -c/--conf FILE (default ./tollgate.conf), -p/--prefix DIR (default ./data)\n`;
}
