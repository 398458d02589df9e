// standard-webhooks: verifies a Standard Webhooks delivery before it reaches the service. The signature is
// `v1,` + base64(HMAC-SHA256(secret_v1, "<webhook-id>.<webhook-timestamp>.<body>")). As in Kong, the key is the
// secret_v1 string as configured, the header must equal that one signature, only a timestamp older than
// tolerance_second is refused, and every refusal is Kong's plain 400.
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf { readonly secret: string; readonly tolerance: number }

export const handler: PluginHandler<Conf> = {
  name: 'standard-webhooks',
  priority: 760,
  version: KONG_VERSION,
  prepare: (c) => ({ secret: c.secret_v1 as string, tolerance: c.tolerance_second as number }),
  async access(kong, conf) {
    const id = kong.request.getHeader('webhook-id');
    const signature = kong.request.getHeader('webhook-signature');
    const timestamp = kong.request.getHeader('webhook-timestamp');
    if (id === undefined || signature === undefined || timestamp === undefined) return reject(kong, 'missing required headers');
    // a timestamp that is not a number counts as 0, which fails the tolerance check (Kong's tonumber(ts) or 0)
    const ts = luaNumber(timestamp);
    if (Date.now() / 1000 - ts > conf.tolerance) return reject(kong, 'timestamp tolerance exceeded');
    const body = await kong.request.readBody();
    if (body.length === 0) return reject(kong, 'missing required body');
    const expected = sign(conf.secret, id, ts, body);
    const given = Buffer.from(signature);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return reject(kong, 'signature not matched');
  },
};

/** `v1,<base64 HMAC>` over `id.ts.body`; ts printed as Lua prints the number it parsed. */
export function sign(secret: string, id: string, ts: number, body: Buffer): Buffer {
  const mac = createHmac('sha256', secret).update(`${id}.${ts}.`).update(body).digest('base64');
  return Buffer.from(`v1,${mac}`);
}

/** Lua's tonumber on a header value: decimal (or 0x hex) with surrounding spaces, else 0. */
function luaNumber(text: string): number {
  const t = text.trim();
  if (/^0x[0-9a-f]+$/i.test(t)) return parseInt(t, 16);
  if (t === '' || !/^[-+]?(\d+\.?\d*|\.\d+)(e[-+]?\d+)?$/i.test(t)) return 0;
  return Number(t);
}

function reject(kong: PluginContext, why: string): void {
  kong.log.debug(`[standard-webhooks] ${why}`);
  kong.response.error(400, 'Bad request');
}
