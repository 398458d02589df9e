// The session cookie on the wire: reading it from Cookie, and the Set-Cookie attributes Kong's session plugin
// (lua-resty-session 4) writes.
import type { SessionConf } from './conf';

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/** `maxAge` (seconds) makes the cookie persistent (remember); null writes a browser-session cookie. */
export function setCookie(conf: SessionConf, name: string, value: string, maxAge: number | null): string {
  const parts = [`${name}=${value}`, `Path=${conf.cookie_path}`];
  if (conf.cookie_domain) parts.push(`Domain=${conf.cookie_domain}`);
  // Kong's clock counts whole seconds, so a session made this second has its full lifetime left: round, not floor
  // (a floor turned 604799.99 into 604799 whenever the request straddled a millisecond boundary)
  if (maxAge !== null) parts.push(`Expires=${new Date(Date.now() + maxAge * 1000).toUTCString()}`, `Max-Age=${Math.max(0, Math.round(maxAge))}`);
  if (conf.cookie_same_site !== 'Default') parts.push(`SameSite=${conf.cookie_same_site}`);
  if (conf.cookie_secure) parts.push('Secure');
  if (conf.cookie_http_only) parts.push('HttpOnly');
  return parts.join('; ');
}

/** Expires the cookie in the browser (logout, invalid session). */
export function clearCookie(conf: SessionConf, name: string): string {
  const parts = [`${name}=`, `Path=${conf.cookie_path}`];
  if (conf.cookie_domain) parts.push(`Domain=${conf.cookie_domain}`);
  parts.push('Expires=Thu, 01 Jan 1970 00:00:01 GMT', 'Max-Age=0');
  if (conf.cookie_same_site !== 'Default') parts.push(`SameSite=${conf.cookie_same_site}`);
  if (conf.cookie_secure) parts.push('Secure');
  if (conf.cookie_http_only) parts.push('HttpOnly');
  return parts.join('; ');
}
