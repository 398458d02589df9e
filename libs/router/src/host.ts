// Host header parsing shared by the router and the proxy. IPv6 literals keep their brackets (`[::1]`).

/** Index of the `:` that starts the port in a Host value, or -1 when no port is present. */
function portSeparator(raw: string): number {
  if (raw.charCodeAt(0) === 91 /* [ */) {
    const close = raw.indexOf(']');
    return close >= 0 && raw.charCodeAt(close + 1) === 58 ? close + 1 : -1;
  }
  return raw.indexOf(':');
}

/** Lower-cased host of a Host header value, without its port. */
export function hostWithoutPort(raw: string): string {
  const sep = portSeparator(raw);
  const host = sep >= 0 ? raw.slice(0, sep) : raw;
  return host.toLowerCase();
}

/** Port carried by a Host header value, or null when it has none (or it is not a number). */
export function hostPort(raw: string): number | null {
  const sep = portSeparator(raw);
  if (sep < 0 || sep === raw.length - 1) return null;
  let port = 0;
  for (let i = sep + 1; i < raw.length; i++) {
    const d = raw.charCodeAt(i) - 48;
    if (d < 0 || d > 9) return null;
    port = port * 10 + d;
  }
  return port <= 65535 ? port : null;
}
