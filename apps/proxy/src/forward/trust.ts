// trusted_ips and the realip rewrite (kong-data-plane.md §2.3): the client address is taken from
// real_ip_header only when the TCP peer is trusted; X-Forwarded-* from the client are honoured only then.
import { BlockList, isIP } from 'node:net';

export interface TrustPolicy {
  isTrusted(ip: string): boolean;
  /** Client address after the realip rewrite. `headerValue` is the real_ip_header value, if any. */
  realIp(peerIp: string, trusted: boolean, headerValue: string | string[] | undefined): string;
  /** Lower-cased real_ip_header name, or null when it is `proxy_protocol`. */
  readonly headerName: string | null;
}

export function compileTrustPolicy(trustedIps: readonly string[], realIpHeader: string, recursive: boolean): TrustPolicy {
  const list = new BlockList();
  let all4 = false;
  let all6 = false;
  let any = false;
  for (const entry of trustedIps) {
    if (entry.startsWith('unix:')) continue;
    const [addr, bits] = entry.split('/');
    const family = isIP(addr);
    if (family === 0) continue;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    any = true;
    if (bits === undefined) list.addAddress(addr, type);
    else {
      const prefix = Number(bits);
      if (prefix === 0) {
        if (family === 4) all4 = true;
        else all6 = true;
      }
      list.addSubnet(addr, prefix, type);
    }
  }
  const isTrusted = (ip: string): boolean => {
    if (!any) return false;
    const family = isIP(ip);
    if (family === 4) return all4 || list.check(ip, 'ipv4');
    if (family === 6) {
      if (all6 || list.check(ip, 'ipv6')) return true;
      // Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d.
      return ip.startsWith('::ffff:') && isIP(ip.slice(7)) === 4 && (all4 || list.check(ip.slice(7), 'ipv4'));
    }
    return false;
  };
  const headerName = realIpHeader.toLowerCase() === 'proxy_protocol' ? null : realIpHeader.toLowerCase();
  return {
    isTrusted,
    headerName,
    realIp(peerIp, trusted, headerValue) {
      if (!trusted || headerValue === undefined) return peerIp;
      const joined = Array.isArray(headerValue) ? headerValue.join(',') : headerValue;
      const parts = joined.split(',');
      if (!recursive) {
        const last = parts[parts.length - 1].trim();
        return isIP(last) ? last : peerIp;
      }
      // Walk right to left past trusted proxies; the first untrusted address is the client.
      for (let i = parts.length - 1; i >= 0; i--) {
        const candidate = parts[i].trim();
        if (!isIP(candidate)) return peerIp;
        if (i === 0 || !isTrusted(candidate)) return candidate;
      }
      return peerIp;
    },
  };
}
