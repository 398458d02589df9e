// A plain TCP acceptor in front of an HTTP/TLS/HTTP2 server, used only when bytes must be read before the
// protocol starts: the PROXY protocol header, and telling h2c (prior knowledge) from HTTP/1.1 on a cleartext
// `http2` listener. Servers without these flags accept directly and never pay for this.
import { createServer, type Server, type Socket } from 'node:net';
import { kProxiedAddress } from '../forward/client-info';
import { parseProxyHeader } from './proxy-protocol';

export interface FrontDoorOptions {
  readonly proxyProtocol: boolean;
  /** Target for connections; `h2` receives those opening with the HTTP/2 preface when set. */
  readonly target: Server;
  readonly h2?: Server;
  /** `target` is a plain HTTP/1 server (reads via 'data' events). */
  readonly targetReadsEvents: boolean;
  /** Drops connections that send no header in time (ms). */
  readonly headerTimeout: number;
  readonly keepAlive?: boolean;
  readonly keepAliveInitialDelay?: number;
}

const H2_PREFACE = Buffer.from('PRI * HTTP/2.0');

export function createFrontDoor(opts: FrontDoorOptions): Server {
  return createServer({ keepAlive: opts.keepAlive, keepAliveInitialDelay: opts.keepAliveInitialDelay }, (socket) => {
    let buffered: Buffer = Buffer.alloc(0);
    let proxyDone = !opts.proxyProtocol;
    socket.setTimeout(opts.headerTimeout, () => socket.destroy());
    const onData = (chunk: Buffer) => {
      buffered = buffered.length === 0 ? chunk : Buffer.concat([buffered, chunk]);
      if (!proxyDone) {
        const parsed = parseProxyHeader(buffered);
        if (parsed.kind === 'incomplete') return;
        if (parsed.kind === 'invalid') {
          socket.destroy();
          return;
        }
        // kept aside: it becomes the client address only if the TCP peer is trusted (forward/client-info.ts)
        if (parsed.source !== null) (socket as Socket & { [kProxiedAddress]?: string })[kProxiedAddress] = parsed.source.ip;
        buffered = buffered.subarray(parsed.length);
        proxyDone = true;
      }
      let target = opts.target;
      if (opts.h2) {
        const n = Math.min(buffered.length, H2_PREFACE.length);
        if (n === 0) return;
        const isH2 = buffered.subarray(0, n).equals(H2_PREFACE.subarray(0, n));
        if (isH2 && n < H2_PREFACE.length) return;
        if (isH2) target = opts.h2;
      } else if (buffered.length === 0) {
        return;
      }
      socket.removeListener('data', onData);
      socket.setTimeout(0);
      socket.pause();
      socket.unshift(buffered);
      target.emit('connection', socket);
      // HTTP/1 parsers read through 'data' events and need the stream flowing again; TLS and HTTP/2 take the
      // buffered bytes themselves (socket.read()) and would lose them to a flowing stream.
      if (target === opts.target && opts.targetReadsEvents) socket.resume();
    };
    socket.on('data', onData);
    socket.on('error', () => socket.destroy());
  });
}
