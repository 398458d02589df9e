// iptables (IPv4) and ip6tables (IPv6): rules in a chain of their own, jumped to first from INPUT.
import type { Family, FirewallRule, FirewallSection } from './plan';

const COMMAND: Readonly<Record<Family, string>> = { 4: 'iptables', 6: 'ip6tables' };
const CHAIN = 'TOLLGATE';

function families(rule: FirewallRule): Family[] {
  return rule.family === null ? [4, 6] : [rule.family];
}

function iptablesRule(rule: FirewallRule, family: Family): string {
  const parts = [COMMAND[family], '-A', CHAIN, '-p', rule.protocol];
  if (rule.source) parts.push('-s', rule.source);
  if (rule.destination) parts.push('-d', rule.destination);
  parts.push('--dport', String(rule.port), '-j', rule.action === 'accept' ? 'ACCEPT' : 'DROP');
  return parts.join(' ');
}

export function renderIptables(sections: readonly FirewallSection[]): string {
  const used = new Set<Family>(sections.flatMap((section) => section.rules.flatMap(families)));
  const order = ([4, 6] as const).filter((family) => used.has(family));
  const lines = [
    '# Firewall rules for Tollgate\'s listeners (iptables for IPv4, ip6tables for IPv6), from `tollgate firewall`.',
    `# They live in chain ${CHAIN}, jumped to first from INPUT. Remove: <cmd> -D INPUT -j ${CHAIN}; <cmd> -F ${CHAIN}; <cmd> -X ${CHAIN}`,
    ...order.map((family) => `${COMMAND[family]} -N ${CHAIN}`),
  ];
  for (const section of sections) {
    lines.push('', `# ${section.comment}`);
    for (const rule of section.rules) lines.push(...families(rule).map((family) => iptablesRule(rule, family)));
  }
  if (order.length) lines.push('', ...order.map((family) => `${COMMAND[family]} -I INPUT 1 -j ${CHAIN}`));
  return `${lines.join('\n')}\n`;
}
