// An upstream that echoes what it received as JSON: {method, path, query, headers, body}.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface EchoUpstream { readonly port: number; readonly requests: number; close(): Promise<void> }

export async function startEchoUpstream(extraHeaders: Record<string, string> = {}): Promise<EchoUpstream> {
  let requests = 0;
  const server = http.createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on('data', (c: Buffer) => parts.push(c));
    req.on('end', () => {
      requests++;
      const url = new URL(req.url ?? '/', 'http://x');
      const body = JSON.stringify({
        method: req.method, path: url.pathname, query: Object.fromEntries(url.searchParams), headers: req.headers,
        body: Buffer.concat(parts).toString(),
      });
      res.writeHead(200, { 'content-type': 'application/json', ...extraHeaders });
      res.end(body);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    get requests() { return requests; },
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}
