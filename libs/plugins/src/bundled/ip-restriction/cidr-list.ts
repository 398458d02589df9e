// A compiled list of IPs and CIDR ranges (v4 and v6) on node's BlockList: no parsing per request.
import { BlockList, isIPv4, isIPv6 } from 'node:net';

export function compileCidrList(entries: readonly string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [ip, bits] = entry.split('/');
    const family = isIPv6(ip) ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, family);
    else list.addSubnet(ip, Number(bits), family);
  }
  return list;
}

/** IPv4-mapped IPv6 addresses (::ffff:1.2.3.4) are checked as IPv4. */
export function inList(list: BlockList, ip: string): boolean {
  if (isIPv4(ip)) return list.check(ip, 'ipv4');
  if (ip.startsWith('::ffff:') && isIPv4(ip.slice(7))) return list.check(ip.slice(7), 'ipv4');
  return isIPv6(ip) ? list.check(ip, 'ipv6') : false;
}
