// tcp-log: one JSON document per request, newline-terminated, over a pooled TCP or TLS connection. As in Kong,
// entries are sent after the response (never delaying it) and are not retried; TLS does not verify the peer.
import net from 'node:net';
import tls from 'node:tls';
import type { PluginHandler, PluginLogger } from '../../types';
import { applyCustomFields, compileCustomFields, type CustomFields } from '../../log/custom-fields';
import { serializeLog } from '../../log/serializer';
import { KONG_VERSION } from '../common';

interface Conf { readonly host: string; readonly port: number; readonly timeout: number; readonly keepalive: number; readonly tls: boolean; readonly sni: string | undefined; readonly pool: string; readonly custom: CustomFields | null }

// idle connections per destination, reused as Kong's setkeepalive pools do
const idle = new Map<string, net.Socket[]>();

export const handler: PluginHandler<Conf> = {
  name: 'tcp-log',
  priority: 7,
  version: KONG_VERSION,
  prepare: (c, env) => {
    const conf = { host: c.host as string, port: c.port as number, timeout: c.timeout as number, keepalive: c.keepalive as number, tls: c.tls === true, sni: (c.tls_sni as string | null) ?? undefined };
    return { ...conf, custom: compileCustomFields(c, env.pluginId), pool: `${conf.host}:${conf.port}:${conf.tls}:${conf.sni ?? ''}` };
  },
  log(kong, conf) {
    applyCustomFields(kong, conf.custom);
    send(conf, JSON.stringify(serializeLog(kong)) + '\n', kong.log);
  },
};

function send(conf: Conf, line: string, log: PluginLogger): void {
  const pooled = idle.get(conf.pool)?.pop();
  const sock = pooled ?? connect(conf, log);
  if (!sock) return;
  sock.setTimeout(conf.timeout);
  sock.write(line, (err) => {
    if (err) {
      log.error(`[tcp-log] failed to send data to ${conf.host}:${conf.port}: ${err.message}`);
      sock.destroy();
      return;
    }
    release(conf, sock);
  });
}

function connect(conf: Conf, log: PluginLogger): net.Socket | null {
  const sock: net.Socket = conf.tls
    ? tls.connect({ host: conf.host, port: conf.port, servername: conf.sni, rejectUnauthorized: false })
    : net.connect({ host: conf.host, port: conf.port });
  sock.on('timeout', () => sock.destroy(new Error('timeout')));
  sock.on('error', (err) => log.error(`[tcp-log] failed to connect to ${conf.host}:${conf.port}: ${err.message}`));
  sock.on('close', () => forget(conf.pool, sock));
  sock.on('data', () => undefined); // a receiver that answers must not fill our buffers
  return sock;
}

function release(conf: Conf, sock: net.Socket): void {
  if (sock.destroyed) return;
  sock.setTimeout(conf.keepalive);
  let list = idle.get(conf.pool);
  if (!list) idle.set(conf.pool, (list = []));
  list.push(sock);
  sock.unref();
}

function forget(pool: string, sock: net.Socket): void {
  const list = idle.get(pool);
  const i = list ? list.indexOf(sock) : -1;
  if (i >= 0) list!.splice(i, 1);
}
