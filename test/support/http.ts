// Minimal HTTP helper for end-to-end tests: returns status, headers and the parsed JSON (or text) body.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface Reply { status: number; headers: Record<string, string | string[] | undefined>; text: string; json: any }

export function http(method: string, url: string, opts: { body?: unknown; headers?: Record<string, string>; rejectUnauthorized?: boolean } = {}): Promise<Reply> {
  const u = new URL(url);
  const payload = opts.body === undefined ? undefined : typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body);
  const headers: Record<string, string> = { ...(payload !== undefined && typeof opts.body !== 'string' ? { 'content-type': 'application/json' } : {}), ...opts.headers };
  const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(u, { method, headers, rejectUnauthorized: opts.rejectUnauthorized ?? true, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      // a connection reset mid-body fails this request, not the test process
      res.on('error', reject);
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try { json = text ? JSON.parse(text) : undefined; } catch { json = undefined; }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
      });
    });
    req.on('error', reject);
    if (payload !== undefined) req.write(payload);
    req.end();
  });
}
