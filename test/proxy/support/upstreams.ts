// Tiny upstream servers on port 0: an echo server that answers with what it received.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Echo {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly rawHeaders: string[];
  readonly body: string;
}

export interface TestUpstream {
  readonly server: Server;
  readonly port: number;
  readonly requests: IncomingMessage[];
  close(): Promise<void>;
}

export type UpstreamHandler = (req: IncomingMessage, res: ServerResponse, body: Buffer) => void;

export const echoHandler: UpstreamHandler = (req, res, body) => {
  const echo: Echo = { method: req.method!, url: req.url!, headers: req.headers, rawHeaders: req.rawHeaders, body: body.toString() };
  const text = JSON.stringify(echo);
  res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
};

export async function startUpstream(handler: UpstreamHandler = echoHandler): Promise<TestUpstream> {
  const requests: IncomingMessage[] = [];
  const server = createServer((req, res) => {
    requests.push(req);
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handler(req, res, Buffer.concat(chunks)));
  });
  server.keepAliveTimeout = 60000;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    server,
    port: (server.address() as AddressInfo).port,
    requests,
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
