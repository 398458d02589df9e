// request-size-limiting: 413 when the declared (or, without Content-Length, the received) body is too large.
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf { readonly maxBytes: number; readonly requireContentLength: boolean }

const UNIT: Record<string, number> = { megabytes: 1 << 20, kilobytes: 1 << 10, bytes: 1 };
const TOO_LARGE = { message: 'Request size limit exceeded' };

export const handler: PluginHandler<Conf> = {
  name: 'request-size-limiting',
  priority: 951,
  version: KONG_VERSION,
  prepare: (config) => ({
    maxBytes: (config.allowed_payload_size as number) * UNIT[config.size_unit as string],
    requireContentLength: config.require_content_length === true,
  }),
  access(kong, conf) {
    const length = kong.request.getHeader('content-length');
    if (length !== undefined) {
      const n = Number(length);
      if (!Number.isInteger(n) || n < 0) return kong.response.exit(400, { message: 'Invalid Content-Length header' });
      if (n > conf.maxBytes) return tooLarge(kong);
      return;
    }
    const chunked = kong.request.getHeader('transfer-encoding') !== undefined;
    if (conf.requireContentLength && chunked) return kong.response.exit(411, { message: 'A valid Content-Length header is required' });
    if (!chunked) return;
    return kong.request.readBody().then((body) => {
      if (body.length > conf.maxBytes) tooLarge(kong);
    });
  },
};

function tooLarge(kong: PluginContext): void {
  // Kong answers 417 to a client that waits for `100-continue`
  if ((kong.request.getHeader('expect') ?? '').toLowerCase() === '100-continue') return kong.response.exit(417, TOO_LARGE);
  kong.response.exit(413, TOO_LARGE);
}
