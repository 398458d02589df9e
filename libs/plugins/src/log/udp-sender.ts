// One UDP socket per address family, shared by udp-log and loggly: each log entry is one datagram, sent after the
// response and never retried (UDP has no acknowledgement to retry on).
import dgram from 'node:dgram';
import { isIPv6 } from 'node:net';
import type { PluginLogger } from '../types';

const sockets = new Map<string, dgram.Socket>();

export function sendDatagram(plugin: string, host: string, port: number, payload: string, log: PluginLogger): void {
  const family = isIPv6(host) ? 'udp6' : 'udp4';
  let sock = sockets.get(family);
  if (!sock) {
    sock = dgram.createSocket(family);
    sock.on('error', (err) => log.error(`[${plugin}] socket error: ${err.message}`));
    sock.unref();
    sockets.set(family, sock);
  }
  sock.send(payload, port, host, (err) => {
    if (err) log.error(`[${plugin}] could not send data to ${host}:${port}: ${err.message}`);
  });
}
