// Settings -> a format-neutral list of firewall rules, so nftables, iptables and pf say the same thing.
// Policy (the seed's advice): proxy and stream listeners are open to everyone; admin, status and cluster listeners
// need no rule on loopback, and on any other address accept only trusted networks and drop everyone else:
// admin_listen from admin_access_allow; status_listen and cluster_listen from trusted_ips (the networks the
// operator already trusts: load balancers, monitoring, the data planes' side of the network).
import { isIP } from 'node:net';
import { cidrFamily } from '@tollgate/config';
import type { ListenEntry, ListenerKind, Role, Settings } from '@tollgate/config';

export type Family = 4 | 6;

export interface FirewallRule {
  /** null = both IPv4 and IPv6 */
  readonly family: Family | null;
  readonly protocol: 'tcp';
  /** Source network; null = anyone. */
  readonly source: string | null;
  /** Bound address; null = any local address (wildcard bind). */
  readonly destination: string | null;
  readonly port: number;
  readonly action: 'accept' | 'drop';
}

export interface FirewallSection {
  readonly comment: string;
  readonly rules: readonly FirewallRule[];
}

/** Which roles open each kind of listener. */
const OPENED_BY: Readonly<Record<ListenerKind, readonly Role[]>> = {
  proxy: ['traditional', 'data_plane'],
  stream: ['traditional', 'data_plane'],
  admin: ['traditional', 'control_plane'],
  status: ['traditional', 'control_plane', 'data_plane'],
  cluster: ['control_plane'],
};

/** Where restricted listeners take their allowed networks from; absent = open to everyone. */
const ALLOW_LIST: Readonly<Partial<Record<ListenerKind, 'admin_access_allow' | 'trusted_ips'>>> = {
  admin: 'admin_access_allow',
  status: 'trusted_ips',
  cluster: 'trusted_ips',
};

const KINDS: readonly ListenerKind[] = ['proxy', 'stream', 'admin', 'status', 'cluster'];

export function isLoopback(ip: string): boolean {
  return ip === 'localhost' || ip === '::1' || (isIP(ip) === 4 && ip.startsWith('127.'));
}

/** Family and destination match for a bound address. */
function boundTo(entry: ListenEntry): { family: Family | null; destination: string | null } {
  if (entry.ip === '0.0.0.0') return { family: 4, destination: null };
  // Node binds '::' dual-stack unless ipv6only is set.
  if (entry.ip === '::') return { family: entry.ipv6only ? 6 : null, destination: null };
  const family = isIP(entry.ip);
  if (family === 0) return { family: null, destination: null }; // hostname: cannot be matched by address
  return { family: family as Family, destination: entry.ip };
}

function sectionFor(kind: ListenerKind, entry: ListenEntry, settings: Settings): FirewallSection {
  const label = `${kind}_listen ${entry.listener}`;
  if (isLoopback(entry.ip)) return { comment: `${label}: loopback only, no rule needed`, rules: [] };
  if (entry.port === 0) return { comment: `${label}: ephemeral port, no rule can be written`, rules: [] };
  const { family, destination } = boundTo(entry);
  const hostname = isIP(entry.ip) === 0 ? ` (hostname: rules match any local address)` : '';
  const rule = { family, protocol: 'tcp', destination, port: entry.port, source: null } as const;
  const allowKey = ALLOW_LIST[kind];
  if (!allowKey) return { comment: `${label}: open to everyone${hostname}`, rules: [{ ...rule, action: 'accept' }] };

  const allowed = settings[allowKey].filter((cidr) => cidr !== 'unix:');
  const usable = allowed.filter((cidr) => family === null || cidrFamily(cidr) === family);
  const accepts = usable.map((cidr): FirewallRule => ({ ...rule, family: cidrFamily(cidr) as Family, source: cidr, action: 'accept' }));
  const who = usable.length ? `only from ${allowKey} (${usable.join(', ')})` : `${allowKey} has no ${family ? `IPv${family} ` : ''}entry, so nobody from the network`;
  return { comment: `${label}: ${who}${hostname}`, rules: [...accepts, { ...rule, action: 'drop' }] };
}

export function planFirewall(settings: Settings): FirewallSection[] {
  const sections: FirewallSection[] = [];
  for (const kind of KINDS) {
    const entries = settings[`${kind}_listeners`];
    if (entries.length === 0) continue;
    if (!OPENED_BY[kind].includes(settings.role)) {
      sections.push({ comment: `${kind}_listen: not opened when role = ${settings.role}, no rule needed`, rules: [] });
      continue;
    }
    for (const entry of entries) sections.push(sectionFor(kind, entry, settings));
  }
  return sections;
}
