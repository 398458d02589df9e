// The local syslog daemon, as libc's syslog(3) reaches it: datagrams on the unix socket /dev/log. Node has no
// unix datagram sockets, so util-linux `logger` (one long-lived process per facility and severity, reading one
// entry per line on stdin) does the sending; JSON entries never contain a raw newline.
import { spawn, type ChildProcess } from 'node:child_process';
import type { PluginLogger } from '../../types';

export const FACILITIES = ['auth', 'authpriv', 'cron', 'daemon', 'ftp', 'kern', 'lpr', 'mail', 'news', 'syslog', 'user', 'uucp',
  'local0', 'local1', 'local2', 'local3', 'local4', 'local5', 'local6', 'local7'] as const;

const TAG = 'kong';
// large enough for any serialized entry; the daemon applies its own maximum
const MAX_MESSAGE = 1024 * 1024;

const writers = new Map<string, ChildProcess>();

let socketPath = '/dev/log';

/** The `syslog_socket` node setting (libc's /dev/log unless the node says otherwise). */
export function configureLocalSyslog(path: string): void {
  if (path === socketPath) return;
  socketPath = path;
  for (const writer of writers.values()) writer.stdin?.end();
  writers.clear();
}

export function sendToLocalSyslog(facility: string, severity: string, message: string, log: PluginLogger): void {
  const key = `${facility}.${severity}`;
  let writer = writers.get(key);
  if (!writer || writer.exitCode !== null || !writer.stdin?.writable) {
    writer = spawn('logger', ['--socket', socketPath, '--socket-errors=on', `--id=${process.pid}`, '--tag', TAG, '--priority', key, '--size', String(MAX_MESSAGE)],
      { stdio: ['pipe', 'ignore', 'pipe'] });
    writer.stderr!.on('data', (d: Buffer) => log.error(`[syslog] ${d.toString().trim()}`));
    // a logger killed while in use reports its end of the pipe as an error ('read ECONNRESET'): it is respawned
    writer.stderr!.on('error', () => undefined);
    writer.on('error', (err) => log.error(`[syslog] could not start logger: ${err.message}`));
    writer.stdin!.on('error', (err) => log.error(`[syslog] could not write to logger: ${err.message}`));
    writer.on('exit', () => writers.delete(key));
    writer.unref();
    (writer.stdin as unknown as { unref?: () => void }).unref?.();
    writers.set(key, writer);
  }
  writer.stdin!.write(message + '\n');
}
