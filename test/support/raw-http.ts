// A keep-alive HTTP/1.1 client on one raw socket: the test decides which connection (and so which worker)
// each request goes to. Reads Content-Length bodies only (what the gateway's answers carry).
import { connect, type Socket } from 'node:net';

export interface RawResponse { status: number; headers: Record<string, string>; body: string }

export class RawConnection {
  private buffer = Buffer.alloc(0);
  private waiting: ((r: RawResponse | Error) => void) | null = null;
  private closed = false;

  private constructor(readonly socket: Socket) {
    socket.on('data', (c: Buffer) => { this.buffer = Buffer.concat([this.buffer, c]); this.parse(); });
    socket.on('close', () => { this.closed = true; this.waiting?.(new Error('connection closed')); this.waiting = null; });
    socket.on('error', () => {});
  }

  static open(port: number): Promise<RawConnection> {
    return new Promise((resolve, reject) => {
      const s = connect({ host: '127.0.0.1', port }, () => resolve(new RawConnection(s)));
      s.once('error', reject);
    });
  }

  get localPort(): number { return this.socket.localPort ?? 0; }

  request(path: string, headers: Record<string, string> = {}): Promise<RawResponse> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    return new Promise((resolve, reject) => {
      this.waiting = (r) => (r instanceof Error ? reject(r) : resolve(r));
      const extra = Object.entries(headers).map(([k, v]) => `${k}: ${v}\r\n`).join('');
      this.socket.write(`GET ${path} HTTP/1.1\r\nHost: test\r\n${extra}\r\n`);
    });
  }

  close(): void { this.socket.destroy(); }

  private parse(): void {
    const end = this.buffer.indexOf('\r\n\r\n');
    if (end < 0 || !this.waiting) return;
    const head = this.buffer.subarray(0, end).toString('latin1').split('\r\n');
    const headers: Record<string, string> = {};
    for (const line of head.slice(1)) {
      const colon = line.indexOf(':');
      headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
    }
    const length = Number(headers['content-length'] ?? 0);
    if (this.buffer.length < end + 4 + length) return;
    const body = this.buffer.subarray(end + 4, end + 4 + length).toString('utf8');
    this.buffer = this.buffer.subarray(end + 4 + length);
    const done = this.waiting;
    this.waiting = null;
    done({ status: Number(head[0].split(' ')[1]), headers, body });
  }
}
