// The services `url` shorthand: scheme, host, port and path from one string, with Kong's defaults.

const URL_RE = /^(?:([A-Za-z][A-Za-z0-9+.-]*):\/\/)?(\[[^\]]*\]|[^:/?#]*)(?::([^/?#]*))?([^?#]*)/;

export function parseServiceUrl(url: string): Record<string, unknown> {
  // Kong parses with socket.url: without a scheme (no `:` at all) there is no authority, the whole text is a path
  if (!url.includes(':') && url.trim() !== '') {
    const path = url.replace(/[?#].*$/s, '');
    return { protocol: 'http', host: null, port: 80, path: path === '' ? null : path };
  }
  const match = URL_RE.exec(url)!;
  const [, scheme, rawHost, rawPort, rawPath] = match;
  const explicitPort = rawPort !== undefined && /^\d+$/.test(rawPort) ? Number(rawPort) : undefined;
  // a port that is not a number is kept as text so the port field reports it
  const port: unknown = rawPort !== undefined && explicitPort === undefined ? rawPort : explicitPort;
  let protocol = scheme?.toLowerCase();
  if (!protocol) protocol = explicitPort === 443 ? 'https' : 'http';
  const host = rawHost.startsWith('[') ? rawHost.slice(1, -1) : rawHost;
  return {
    protocol,
    host: host === '' ? null : host,
    port: port ?? (protocol === 'https' ? 443 : 80),
    path: rawPath === '' ? null : rawPath,
  };
}
