import type { Settings } from '@tollgate/config';
import { renderIptables } from './iptables';
import { renderNftables } from './nftables';
import { renderPf } from './pf';
import { planFirewall } from './plan';
import { renderTproxy } from './tproxy';
import type { FirewallSection } from './plan';

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
  const transparent = settings.stream_listeners.filter((entry) => entry.transparent);
  const tproxy = transparent.map((entry) =>
    format === 'pf'
      ? `# ${entry.listener}: TPROXY interception is Linux-only (iptables/nftables); pf has no equivalent rule here.`
      : renderTproxy(entry),
  );
  return [render(planFirewall(settings)), ...tproxy].join('\n');
}
