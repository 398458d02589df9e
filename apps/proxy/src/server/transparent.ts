// The `transparent` listen flag: a listening socket with IP_TRANSPARENT set before bind (Linux only), so a TPROXY
// rule can hand us connections addressed elsewhere; an accepted socket's localAddress/localPort is then the
// original destination. Node cannot set the option before bind, so a small N-API addon (native/transparent)
// creates the socket and we listen on its fd.
import { isIP } from 'node:net';
import type { ListenEntry } from '@tollgate/config/types';
import { findNativeAddon, NATIVE_BUILD_HINT } from '@tollgate/config/native-addon';

interface TransparentAddon {
  openTransparentListener(host: string, port: number, backlog: number, ipv6only: boolean): number;
}

export const BUILD_HINT = NATIVE_BUILD_HINT;

let cached: TransparentAddon | null = null;

function loadAddon(where: string): TransparentAddon {
  if (cached) return cached;
  const path = findNativeAddon('transparent');
  if (path === null) throw new Error(`${where}: flag 'transparent' needs the native addon native/transparent, which is not built (${BUILD_HINT})`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  cached = require(path) as TransparentAddon;
  return cached;
}

/**
 * Opens the listening socket for a transparent entry and returns its fd (for net.Server.listen({ fd })).
 * Throws an Error whose message says exactly what is missing: Linux, the addon, an IP literal, or CAP_NET_ADMIN.
 */
export function openTransparentSocket(entry: ListenEntry, key = 'stream_listen'): number {
  const where = `${key}: cannot listen on ${entry.listener}`;
  if (process.platform !== 'linux') {
    throw new Error(`${where}: flag 'transparent' is only supported on Linux (IP_TRANSPARENT and TPROXY), not on ${process.platform}`);
  }
  if (isIP(entry.ip) === 0) throw new Error(`${where}: flag 'transparent' needs an IP address, not a host name`);
  const addon = loadAddon(where);
  try {
    return addon.openTransparentListener(entry.ip, entry.port, entry.backlog ?? 511, entry.ipv6only === true);
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    if (e.code === 'EPERM' || e.code === 'EACCES') {
      throw new Error(
        `${where}: flag 'transparent' needs the CAP_NET_ADMIN capability (run as root, or grant it to node: setcap cap_net_admin+ep ${process.execPath})`,
        { cause: err },
      );
    }
    const why = e.code === 'EADDRINUSE' ? 'address already in use' : e.message;
    throw new Error(`${where}: ${why}`, { cause: err });
  }
}
