// pf (BSD, macOS): `quick` rules, so the first match wins like the other formats.
import type { FirewallRule, FirewallSection } from './plan';

function pfRule(rule: FirewallRule): string {
  const family = rule.family ?? (rule.source ? (rule.source.includes(':') ? 6 : 4) : null);
  const parts = [rule.action === 'accept' ? 'pass in quick' : 'block drop in quick'];
  if (family) parts.push(family === 4 ? 'inet' : 'inet6');
  parts.push('proto', rule.protocol, 'from', rule.source ?? 'any', 'to', rule.destination ?? 'any', 'port', String(rule.port));
  return parts.join(' ');
}

export function renderPf(sections: readonly FirewallSection[]): string {
  const lines = [
    '# Firewall rules for Tollgate\'s listeners (pf), from `tollgate firewall`.',
    '# Add them to /etc/pf.conf before your other filter rules, then: pfctl -f /etc/pf.conf',
  ];
  for (const section of sections) lines.push('', `# ${section.comment}`, ...section.rules.map(pfRule));
  return `${lines.join('\n')}\n`;
}
