// Binds a net.Server for one `*_listen` entry (proxy and stream alike): backlog, ipv6only and `transparent`,
// failing with a message that names the key and the entry, never a bare errno.
import type { Server } from 'node:net';
import type { ListenEntry } from '@tollgate/config/types';
import { openTransparentSocket } from './transparent';

export function listenOn(server: Server, entry: ListenEntry, key: 'proxy_listen' | 'stream_listen'): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException) => {
      server.removeListener('listening', onListening);
      const why = err.code === 'EADDRINUSE' ? 'address already in use' : err.message;
      reject(new Error(`${key}: cannot listen on ${entry.listener}: ${why}`, { cause: err }));
    };
    const onListening = () => {
      server.removeListener('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    if (!entry.transparent) {
      server.listen({ host: entry.ip, port: entry.port, backlog: entry.backlog, ipv6Only: entry.ipv6only === true });
      return;
    }
    // IP_TRANSPARENT must be set before bind, which Node cannot do: the addon opens the socket, we listen on its fd.
    let fd: number;
    try {
      fd = openTransparentSocket(entry, key);
    } catch (err) {
      server.removeListener('error', onError);
      server.removeListener('listening', onListening);
      reject(err);
      return;
    }
    server.listen({ fd });
  });
}
