import { BlockList, isIP } from 'node:net';
import { unmapIpv4 } from '@tollgate/config';

/** A compiled `admin_access_allow` list. Built once at start; `allows` is a BlockList lookup per request. */
export class CidrAllowList {
  private readonly list = new BlockList();
  readonly empty: boolean;

  constructor(cidrs: readonly string[]) {
    for (const cidr of cidrs) this.add(cidr);
    this.empty = cidrs.length === 0;
  }

  allows(remoteAddress: string | undefined): boolean {
    if (this.empty) return true;
    if (!remoteAddress) return false;
    const address = unmapIpv4(remoteAddress);
    const family = isIP(address);
    if (family === 0) return false;
    return this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  private add(cidr: string): void {
    const [rawAddress, rawPrefix] = cidr.trim().split('/');
    const address = unmapIpv4(rawAddress);
    const family = isIP(address);
    if (family === 0) throw new Error(`admin_access_allow: invalid address in '${cidr}'`);
    const max = family === 4 ? 32 : 128;
    const prefix = rawPrefix === undefined ? max : Number(rawPrefix);
    if (!Number.isInteger(prefix) || prefix < 0 || prefix > max || (rawPrefix !== undefined && !/^\d+$/.test(rawPrefix))) {
      throw new Error(`admin_access_allow: invalid prefix length in '${cidr}'`);
    }
    this.list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
  }
}

// One definition with the configuration's exposure rule (libs/config/src/admin-exposure.ts).
export { isLoopbackAddress, unmapIpv4 } from '@tollgate/config';
