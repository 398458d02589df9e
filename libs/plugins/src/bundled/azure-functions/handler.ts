// azure-functions: answers the request with an Azure Function's response: the client's method, headers (minus
// Host, plus x-functions-key / x-functions-clientid), query and body go to
// http(s)://<appname>.<hostdomain>:<80|443>/<routeprefix>/<functionname>, and its status, headers and body come back.
import http from 'node:http';
import https from 'node:https';
import { trustedCertificates } from '@tollgate/pki';
import type { PluginContext, PluginHandler } from '../../types';
import { KONG_VERSION } from '../common';

interface Conf {
  readonly client: typeof http | typeof https;
  readonly agent: http.Agent;
  readonly host: string;
  readonly port: number;
  readonly path: string;
  readonly timeout: number;
  readonly apikey: string | null;
  readonly clientid: string | null;
}

const trimSlashes = (s: string) => s.replace(/^\/+/, '').replace(/\/+$/, '');

export const handler: PluginHandler<Conf> = {
  name: 'azure-functions',
  priority: 749,
  version: KONG_VERSION,
  prepare: (c) => {
    const secure = c.https !== false;
    const prefix = trimSlashes((c.routeprefix as string | null) ?? '');
    const func = trimSlashes((c.functionname as string | null) ?? '');
    const keepalive = c.keepalive as number;
    return {
      client: secure ? https : http,
      // https_verify checks the function's certificate against lua_ssl_trusted_certificate, as Kong does
      agent: secure
        ? new https.Agent({ keepAlive: true, timeout: keepalive, rejectUnauthorized: c.https_verify === true, ca: trustedCertificates() as string[] | undefined })
        : new http.Agent({ keepAlive: true, timeout: keepalive }),
      host: `${c.appname as string}.${c.hostdomain as string}`,
      port: secure ? 443 : 80,
      path: `${prefix ? `/${prefix}` : ''}/${func}`,
      timeout: c.timeout as number,
      apikey: (c.apikey as string | null) ?? null,
      clientid: (c.clientid as string | null) ?? null,
    };
  },
  async access(kong, conf) {
    const body = await kong.request.readBody();
    const headers: http.OutgoingHttpHeaders = { ...kong.request.headers };
    delete headers.host;
    // the function gets the whole body at once (a request without one stays without Content-Length)
    delete headers['transfer-encoding'];
    if (body.length > 0 || headers['content-length'] !== undefined) headers['content-length'] = String(body.length);
    if (conf.apikey !== null) headers['x-functions-key'] = conf.apikey;
    if (conf.clientid !== null) headers['x-functions-clientid'] = conf.clientid;
    try {
      const res = await call(kong, conf, headers, body);
      const out: Record<string, string | string[]> = {};
      for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'content-length') out[k] = v;
      kong.response.exit(res.status, res.body, out, { proxied: true });
    } catch (err) {
      kong.log.error(`[azure-functions] ${(err as Error).message}`);
      kong.response.exit(500, { message: 'An unexpected error occurred' });
    }
  },
};

function call(kong: PluginContext, conf: Conf, headers: http.OutgoingHttpHeaders, body: Buffer): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  const query = kong.request.rawQuery;
  return new Promise((resolve, reject) => {
    const req = conf.client.request(
      { host: conf.host, port: conf.port, method: kong.request.method, path: conf.path + (query ? `?${query}` : ''), agent: conf.agent, timeout: conf.timeout, headers },
      (res) => {
        const parts: Buffer[] = [];
        res.on('data', (p: Buffer) => parts.push(p));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(parts) }));
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end(body);
  });
}
