import type { ListenEntry, Settings } from '@tollgate/config';
import { isLoopbackAddress } from './cidr-allow-list';

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
