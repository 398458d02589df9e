// Small HTTPS / HTTP/2 clients for the TLS suites (supertest cannot present client certificates or speak h2).
import * as http2 from 'node:http2';
import * as https from 'node:https';

export interface TlsClientOptions {
  readonly ca?: string;
  readonly cert?: string;
  readonly key?: string;
}

export interface SimpleResponse {
  readonly status: number;
  readonly protocol: string;
  readonly headers: Record<string, unknown>;
  readonly body: unknown;
}

/** One HTTP/1.1 request over TLS; ALPN offers only http/1.1, which proves the h2 listener's fallback. */
export function httpsRequest(url: string, method: string, path: string, tls: TlsClientOptions, body?: unknown, headers: Record<string, string> = {}): Promise<SimpleResponse> {
  return new Promise((resolve, reject) => {
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const options: https.RequestOptions & { ALPNProtocols: string[] } = {
      method,
      ...tls,
      servername: 'localhost',
      ALPNProtocols: ['http/1.1'],
      agent: false,
      headers: { ...headers, ...(payload ? { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } : {}) },
    };
    const req = https.request(`${url}${path}`, options, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, protocol: `HTTP/${res.httpVersion}`, headers: res.headers, body: text ? JSON.parse(text) : null });
      });
    });
    req.on('error', reject);
    req.end(payload);
  });
}

/** One request over HTTP/2 (ALPN h2). */
export function h2Request(url: string, method: string, path: string, tls: TlsClientOptions, body?: unknown): Promise<SimpleResponse & { alpn: string | false | undefined }> {
  return new Promise((resolve, reject) => {
    const session = http2.connect(url, { ...tls, servername: 'localhost' });
    session.on('error', reject);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    const stream = session.request({ ':method': method, ':path': path, ...(payload ? { 'content-type': 'application/json' } : {}) });
    let headers: http2.IncomingHttpHeaders = {};
    stream.on('response', (h) => (headers = h));
    const chunks: Buffer[] = [];
    stream.on('data', (c: Buffer) => chunks.push(c));
    stream.on('error', reject);
    stream.on('end', () => {
      const alpn = session.alpnProtocol;
      session.close();
      const text = Buffer.concat(chunks).toString('utf8');
      resolve({ status: Number(headers[':status']), protocol: 'HTTP/2', alpn, headers, body: text ? JSON.parse(text) : null });
    });
    stream.end(payload);
  });
}
