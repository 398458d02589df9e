// A client that writes exact bytes (optionally over TLS with a chosen ALPN) and reports what came back and how
// the connection ended. Used by the robustness corpus and the node-level hardening tests.
import { connect as tcpConnect, type Socket } from 'node:net';
import { connect as tlsConnect } from 'node:tls';

export interface RawResult {
  /** Everything received, latin1. */
  readonly text: string;
  /** Status of the first response, 0 when none. */
  readonly status: number;
  /** The server closed (or reset) the connection before the deadline. */
  readonly closed: boolean;
  readonly bytes: number;
}

export interface RawOptions {
  readonly tls?: { readonly alpn?: string[]; readonly cert?: string; readonly key?: string; readonly servername?: string };
  /** Sent one after the other, `gapMs` apart (slow clients). */
  readonly parts?: readonly (string | Buffer)[];
  readonly gapMs?: number;
  /** Give up waiting for the server after this long (the connection is then still open: closed=false). */
  readonly deadlineMs?: number;
  /** Stop as soon as this much arrived (keep-alive answers never close). */
  readonly untilBytes?: number;
  /** Resolve once a complete first response is in (Content-Length framed). */
  readonly untilResponse?: boolean;
}

function firstStatus(text: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
  return m ? Number(m[1]) : 0;
}

/** A Content-Length framed response is complete (bodiless statuses end with their head). */
export function responseComplete(text: string): boolean {
  const end = text.indexOf('\r\n\r\n');
  if (end === -1) return false;
  const status = firstStatus(text);
  if (status === 204 || status === 304 || (status >= 100 && status < 200)) return true;
  const cl = /\r\ncontent-length: *(\d+)/i.exec(text.slice(0, end));
  return cl !== null && text.length - end - 4 >= Number(cl[1]);
}

export function rawRequest(port: number, payload: string | Buffer, opts: RawOptions = {}): Promise<RawResult> {
  return new Promise((resolve) => {
    const socket: Socket = opts.tls
      ? tlsConnect({
          port, host: '127.0.0.1', rejectUnauthorized: false, ALPNProtocols: opts.tls.alpn ?? ['http/1.1'],
          cert: opts.tls.cert, key: opts.tls.key, servername: opts.tls.servername,
        })
      : tcpConnect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const timers: NodeJS.Timeout[] = [];
    const finish = (closed: boolean) => {
      if (done) return;
      done = true;
      for (const t of timers) clearTimeout(t);
      socket.destroy();
      const text = Buffer.concat(chunks).toString('latin1');
      resolve({ text, status: firstStatus(text), closed, bytes: size });
    };
    socket.on('data', (c: Buffer) => {
      chunks.push(c);
      size += c.length;
      if (opts.untilBytes !== undefined && size >= opts.untilBytes) finish(false);
      else if (opts.untilResponse && responseComplete(Buffer.concat(chunks).toString('latin1'))) finish(false);
    });
    socket.on('error', () => finish(true));
    socket.on('close', () => finish(true));
    timers.push(setTimeout(() => finish(false), opts.deadlineMs ?? 5000));
    socket.once(opts.tls ? 'secureConnect' : 'connect', () => {
      const parts = opts.parts ?? [payload];
      parts.forEach((part, i) => {
        const t = setTimeout(() => !done && socket.writable && socket.write(part), i * (opts.gapMs ?? 0));
        timers.push(t);
      });
    });
  });
}
