import { UsageError } from '../args';
import { renderFirewall } from '../firewall';
import { settingsFromArgs } from '../settings';
import type { Command } from './types';

const FORMATS = ['nftables', 'iptables', 'pf'] as const;

export const firewall: Command = {
  summary: 'print firewall rules for the configured listeners (proxy/stream open, admin/cluster restricted)',
  usage: 'tollgate firewall [-c FILE] [--format nftables|iptables|pf]',
  positionals: 0,
  async run(args) {
    const format = (args.flags.format ?? 'nftables') as (typeof FORMATS)[number];
    if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}, got '${String(format)}'`);
    process.stdout.write(renderFirewall(settingsFromArgs(args), format));
    return 0;
  },
};
