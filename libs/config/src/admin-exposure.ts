// The Admin API may only face other hosts behind a protection. A cross-key rule of the configuration, so that
// `tollgate config check` and `tollgate start` refuse the same files; the Admin API bootstrap calls it too.
import { isIP } from 'node:net';
import type { ListenEntry, Settings } from './types';

/** Dual-stack sockets report IPv4 peers as ::ffff:a.b.c.d; CIDRs are written in plain IPv4. */
export function unmapIpv4(address: string): string {
  return address.toLowerCase().startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

export function isLoopbackAddress(host: string): boolean {
  const address = unmapIpv4(host.replace(/^\[|\]$/g, ''));
  if (address === 'localhost' || address === '::1') return true;
  return isIP(address) === 4 && address.startsWith('127.');
}

type ProtectionSettings = Pick<
  Settings,
  'admin_listeners' | 'admin_access_allow' | 'admin_api_key' | 'admin_ssl_client_ca' | 'admin_allow_insecure'
>;

/**
 * The Admin API can rewrite the whole gateway, so it may only face other hosts behind at least one protection.
 * Returns the refusal message, or null when starting is fine. Mutual TLS protects only `ssl` listeners.
 */
export function insecureExposureError(settings: ProtectionSettings): string | null {
  if (settings.admin_allow_insecure) return null;
  if ((settings.admin_access_allow ?? []).length > 0 || settings.admin_api_key) return null;
  const exposed = settings.admin_listeners.filter((entry) => !isLoopbackAddress(entry.ip) && !(entry.ssl && settings.admin_ssl_client_ca));
  if (exposed.length === 0) return null;
  return (
    `refusing to start: admin_listen binds ${describe(exposed)}, which other hosts can reach, and the Admin API is unprotected ` +
    '(anyone who can connect could reconfigure the gateway). Protect it with admin_access_allow (CIDRs of trusted clients), ' +
    'admin_api_key (clients send the Kong-Admin-Token header) or admin_ssl_client_ca (mutual TLS on ssl listeners); ' +
    'or bind admin_listen to 127.0.0.1; or set admin_allow_insecure = on to accept the risk.'
  );
}

function describe(entries: readonly ListenEntry[]): string {
  return entries.map((e) => (e.ip.includes(':') ? `[${e.ip}]:${e.port}` : `${e.ip}:${e.port}`)).join(', ');
}
