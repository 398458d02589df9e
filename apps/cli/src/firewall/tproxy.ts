// TPROXY recipe for a listener with the `transparent` flag: connections to any address on the intercepted ports
// are delivered to the listener with their original destination as the socket's local address.
// For transparent proxy_listen and stream_listen entries; needs CAP_NET_ADMIN, and IP_TRANSPARENT on the listening
// socket. The divert chain, fwmark rule and local route are per family: with several transparent listeners they are
// printed once (a second `-N` or `ip rule add` would fail or duplicate).
import { isIP } from 'node:net';
import type { ListenEntry } from '@tollgate/config';
import type { Family } from './plan';

export interface TproxyOptions {
  /** Destination ports to intercept; default: the listener's own port. */
  readonly ports?: readonly number[];
  /** Families whose shared divert chain and policy routing were already printed (by an earlier listener). */
  readonly sharedDone?: ReadonlySet<Family>;
}

const TOOLS: Readonly<Record<Family, { tables: string; ip: string; any: string }>> = {
  4: { tables: 'iptables', ip: 'ip', any: '0.0.0.0/0' },
  6: { tables: 'ip6tables', ip: 'ip -6', any: '::/0' },
};

export function familiesOf(entry: ListenEntry): Family[] {
  if (entry.ip === '::') return entry.ipv6only ? [6] : [4, 6];
  return isIP(entry.ip) === 6 ? [6] : [4];
}

export function renderTproxy(entry: ListenEntry, options: TproxyOptions = {}): string {
  const ports = options.ports ?? [entry.port];
  const lines = [
    `# TPROXY for ${entry.listener}: TCP to any address on port ${ports.join(', ')} is delivered to this listener.`,
    '# Run as root (CAP_NET_ADMIN). Packets of established flows are marked through chain TOLLGATE_DIVERT.',
  ];
  for (const family of familiesOf(entry)) {
    const { tables, ip, any } = TOOLS[family];
    const onIp = isIP(entry.ip) === family ? ` --on-ip ${entry.ip}` : family === 4 && entry.ip === '::' ? ' --on-ip 0.0.0.0' : '';
    const shared = options.sharedDone?.has(family) !== true;
    if (shared) {
      lines.push(
        `${tables} -t mangle -N TOLLGATE_DIVERT`,
        `${tables} -t mangle -A TOLLGATE_DIVERT -j MARK --set-mark 1`,
        `${tables} -t mangle -A TOLLGATE_DIVERT -j ACCEPT`,
        `${tables} -t mangle -A PREROUTING -p tcp -m socket -j TOLLGATE_DIVERT`,
      );
    }
    lines.push(...ports.map((port) => `${tables} -t mangle -A PREROUTING -p tcp --dport ${port} -j TPROXY --on-port ${entry.port}${onIp} --tproxy-mark 0x1/0x1`));
    if (shared) lines.push(`${ip} rule add fwmark 1 lookup 100`, `${ip} route add local ${any} dev lo table 100`);
  }
  return `${lines.join('\n')}\n`;
}
