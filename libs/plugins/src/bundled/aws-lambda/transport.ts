// One HTTP(S) exchange with an AWS endpoint (Lambda or STS), directly or through proxy_url: absolute-form
// requests for http endpoints, a CONNECT tunnel for https ones. As Kong's AWS client, the endpoint's certificate is
// not verified.
import http from 'node:http';
import https from 'node:https';
import { isIP } from 'node:net';
import tls from 'node:tls';
import type { Duplex } from 'node:stream';

export interface AwsExchange {
  readonly tls: boolean;
  readonly host: string;
  readonly port: number;
  /** Path and query as sent. */
  readonly path: string;
  readonly method: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Buffer;
  readonly timeout: number;
  /** Kept-alive connections for direct requests. */
  readonly agent?: http.Agent;
  /** proxy_url (http://[user:pass@]host:port). */
  readonly proxy?: URL | null;
}

export interface AwsAnswer { readonly status: number; readonly headers: http.IncomingHttpHeaders; readonly body: Buffer }

export async function awsExchange(x: AwsExchange): Promise<AwsAnswer> {
  const headers: Record<string, string> = { ...x.headers, 'content-length': String(x.body.length) };
  if (!x.proxy) {
    return exchange(x.tls ? https : http, { host: x.host, port: x.port, path: x.path, agent: x.agent, rejectUnauthorized: false }, x, headers);
  }
  const proxyAuth = x.proxy.username
    ? { 'proxy-authorization': `Basic ${Buffer.from(`${decodeURIComponent(x.proxy.username)}:${decodeURIComponent(x.proxy.password)}`).toString('base64')}` }
    : undefined;
  const proxyPort = Number(x.proxy.port || 80);
  if (!x.tls) {
    // an http endpoint: the request goes to the proxy in absolute form
    return exchange(http, { host: x.proxy.hostname, port: proxyPort, path: `http://${x.host}:${x.port}${x.path}`, agent: false }, x, { ...headers, ...proxyAuth });
  }
  const socket = await tunnel(x.proxy.hostname, proxyPort, `${x.host}:${x.port}`, x.timeout, proxyAuth);
  // no agent: Node then uses createConnection (agent: false would make a fresh agent that ignores it)
  return exchange(https, {
    host: x.host, port: x.port, path: x.path,
    createConnection: () => tls.connect({ socket, servername: isIP(x.host) ? undefined : x.host, rejectUnauthorized: false }),
  }, x, headers);
}

function tunnel(host: string, port: number, target: string, timeout: number, auth?: Record<string, string>): Promise<Duplex> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host, port, method: 'CONNECT', path: target, timeout, headers: { host: target, ...auth } });
    req.on('connect', (res, socket) => {
      if (res.statusCode === 200) return resolve(socket);
      socket.destroy();
      reject(new Error(`proxy refused the tunnel to ${target}: ${res.statusCode}`));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

function exchange(client: typeof http | typeof https, options: https.RequestOptions, x: AwsExchange, headers: Record<string, string>): Promise<AwsAnswer> {
  return new Promise((resolve, reject) => {
    const req = client.request({ ...options, method: x.method, timeout: x.timeout, headers }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (p: Buffer) => parts.push(p));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => reject(new Error(`failed sending request to '${x.host}:${x.port}': ${err.message}`)));
    req.end(x.body);
  });
}
