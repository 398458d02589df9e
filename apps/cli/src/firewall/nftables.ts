// nftables: a table of its own, so loading it never touches the operator's ruleset and removing it is one command.
import type { FirewallRule, FirewallSection } from './plan';

function nftRule(rule: FirewallRule): string {
  const parts: string[] = [];
  if (rule.source) parts.push(`${rule.source.includes(':') ? 'ip6' : 'ip'} saddr ${rule.source}`);
  if (rule.destination) parts.push(`${rule.destination.includes(':') ? 'ip6' : 'ip'} daddr ${rule.destination}`);
  if (!rule.source && !rule.destination && rule.family) parts.push(`meta nfproto ipv${rule.family}`);
  parts.push(`${rule.protocol} dport ${rule.port}`, rule.action);
  return parts.join(' ');
}

export function renderNftables(sections: readonly FirewallSection[]): string {
  const lines = [
    '#!/usr/sbin/nft -f',
    '# Firewall rules for Tollgate\'s listeners (nftables), from `tollgate firewall`.',
    '# Load: nft -f FILE (re-loading replaces the table). Remove: nft delete table inet tollgate',
    '# The drops below are final. A packet accepted here still meets your other tables: if your own input chain',
    '# drops by default, accept the opened ports there too.',
    'table inet tollgate',
    'delete table inet tollgate',
    'table inet tollgate {',
    '\tchain input {',
    '\t\ttype filter hook input priority -10; policy accept;',
  ];
  for (const section of sections) {
    lines.push('', `\t\t# ${section.comment}`, ...section.rules.map((rule) => `\t\t${nftRule(rule)}`));
  }
  lines.push('\t}', '}');
  return `${lines.join('\n')}\n`;
}
