import { request } from 'node:http';
import { readListenersFile } from '../supervisor/pidfile';
import { runningNodeFromArgs } from '../settings';
import type { Command } from './types';

function getJson(host: string, port: number, path: string): Promise<{ status: number; body: any }> {
  return new Promise((res, rej) => {
    const req = request({ host, port, path, timeout: 2000 }, (r) => {
      let data = '';
      r.setEncoding('utf8');
      r.on('data', (c) => (data += c));
      r.on('end', () => { try { res({ status: r.statusCode ?? 0, body: JSON.parse(data) }); } catch (e) { rej(e); } });
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', rej);
    req.end();
  });
}

export const health: Command = {
  summary: 'exit 0 with a short report when the node in a prefix is up',
  usage: 'tollgate health [-p PREFIX] [-c FILE]',
  positionals: 0,
  async run(args) {
    const node = runningNodeFromArgs(args);
    if (node === null) return 1;
    const { prefix, pid } = node;
    const lines = [`tollgate ... running (pid ${pid}, prefix ${prefix})`];
    // The node records where it actually bound (ports may be 0 in the configuration).
    const status = (readListenersFile(prefix) ?? []).find((l) => l.key === 'status_listen');
    if (status) {
      const host = status.address === '0.0.0.0' ? '127.0.0.1' : status.address === '::' ? '::1' : status.address;
      const shown = `${host.includes(':') ? `[${host}]` : host}:${status.port}`;
      try {
        const ready = await getJson(host, status.port, '/status/ready');
        lines.push(`status listener ${shown} ... ${ready.status === 200 ? 'ready' : `not ready (${ready.body?.message})`}`);
        if (ready.status !== 200) { process.stdout.write(lines.join('\n') + '\n'); return 1; }
      } catch (err) {
        lines.push(`status listener ${shown} ... unreachable (${(err as Error).message})`);
        process.stdout.write(lines.join('\n') + '\n');
        return 1;
      }
    }
    process.stdout.write(lines.join('\n') + '\ntollgate is healthy\n');
    return 0;
  },
};
