import type { Settings } from '@tollgate/config';
import { renderIptables } from './iptables';
import { renderNftables } from './nftables';
import { renderPf } from './pf';
import { planFirewall } from './plan';
import { familiesOf, renderTproxy } from './tproxy';
import type { Family, FirewallSection } from './plan';

export type FirewallFormat = 'nftables' | 'iptables' | 'pf';

const RENDERERS: Readonly<Record<FirewallFormat, (sections: readonly FirewallSection[]) => string>> = {
  nftables: renderNftables,
  iptables: renderIptables,
  pf: renderPf,
};

export const FIREWALL_FORMATS = Object.keys(RENDERERS) as FirewallFormat[];

/** Copy-pasteable rules for the configured listeners (see plan.ts for the policy). */
export function renderFirewall(settings: Settings, format: FirewallFormat): string {
  const render = RENDERERS[format];
  if (!render) throw new Error(`unknown firewall format '${format}' (expected ${FIREWALL_FORMATS.join(', ')})`);
  const transparent = [...settings.proxy_listeners, ...settings.stream_listeners].filter((entry) => entry.transparent);
  const sharedDone = new Set<Family>();
  const tproxy = transparent.map((entry) => {
    if (format === 'pf') return `# ${entry.listener}: TPROXY interception is Linux-only (iptables/nftables); pf has no equivalent rule here.`;
    const text = renderTproxy(entry, { sharedDone });
    for (const family of familiesOf(entry)) sharedDone.add(family);
    return text;
  });
  return [render(planFirewall(settings)), ...tproxy].join('\n');
}
