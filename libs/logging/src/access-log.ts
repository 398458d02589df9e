// Access logs: one line per request/stream (Kong's nginx format or JSON, built by the caller), written asynchronously so logging never delays a response.
// Lines are copied into a batch buffer and written with one fs.write per ACCESS_LOG_FLUSH_MS or per full batch
// (nginx's `access_log ... buffer= flush=`): one write per request cost ~4 µs of CPU per proxied request on
// bench/proxy, and a string-based writer (pino's sonic-boom) re-encoded every batch several times.
import { close as closeFd, mkdirSync, openSync, write } from 'node:fs';
import { dirname } from 'node:path';
import { onReopen } from './reopen';

export interface AccessLog {
  write(entry: Record<string, unknown>): void;
  /** A line already serialised as JSON, without the trailing newline (the proxy builds it by hand). */
  writeLine(line: string): void;
  /** Writes out what is buffered; call on shutdown. */
  close(): Promise<void>;
}

/** Longest a line waits in memory before it reaches the file. */
export const ACCESS_LOG_FLUSH_MS = 100;
const BATCH_BYTES = 64 * 1024;

const noop: AccessLog = { write() {}, writeLine() {}, close: async () => {} };

/** Paths written to the process's own descriptors (Kong's docker image logs to /dev/stdout): never reopened or
 *  closed, and no open() of /dev/stdout, which fails when stdout is a socket. */
const STANDARD_STREAMS: Readonly<Record<string, number>> = { '/dev/stdout': 1, '/dev/stderr': 2 };

function openLog(path: string): number {
  mkdirSync(dirname(path), { recursive: true });
  return openSync(path, 'a');
}

export function createAccessLog(path: string | null | undefined): AccessLog {
  if (!path) return noop;
  const standard = Object.hasOwn(STANDARD_STREAMS, path) ? STANDARD_STREAMS[path] : undefined;
  let fd = standard ?? openLog(path);
  let batch = Buffer.allocUnsafe(BATCH_BYTES);
  let used = 0;
  let timer: NodeJS.Timeout | null = null;
  /** Full batches waiting for the write in flight: at most one write at a time keeps lines in order. */
  const queue: Buffer[] = [];
  let writing = false;
  let onIdle: (() => void) | null = null;
  const oldFds: Array<() => void> = [];

  const pump = (): void => {
    if (writing) return;
    const next = queue.shift();
    if (next === undefined) {
      onIdle?.();
      return;
    }
    writing = true;
    write(fd, next, 0, next.length, null, (err, written) => {
      writing = false;
      while (oldFds.length > 0) oldFds.shift()!();
      // A short write continues where it stopped; a failed one is dropped (there is nowhere to report it).
      if (err === null && written < next.length) queue.unshift(next.subarray(written));
      pump();
    });
  };
  const flush = (): void => {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
    if (used === 0) return;
    queue.push(batch.subarray(0, used));
    batch = Buffer.allocUnsafe(BATCH_BYTES);
    used = 0;
    pump();
  };
  const append = (line: string): void => {
    // UTF-8 takes at most 3 bytes per UTF-16 unit: checking the bound avoids measuring the line.
    const worst = line.length * 3 + 1;
    if (used + worst > BATCH_BYTES) {
      flush();
      if (worst > BATCH_BYTES) {
        queue.push(Buffer.from(`${line}\n`));
        pump();
        return;
      }
    }
    used += batch.write(line, used);
    batch[used++] = 10; // \n
    if (timer === null) {
      timer = setTimeout(flush, ACCESS_LOG_FLUSH_MS);
      timer.unref();
    }
  };
  // Every write from now on goes to the reopened file; the old fd is closed once the one write in flight (which
  // captured it) is done. The process's own stdout/stderr are never reopened.
  const unregister = standard !== undefined ? () => {} : onReopen(() => {
    let next: number;
    try {
      next = openSync(path, 'a');
    } catch {
      return; // the directory is gone: keep writing where we were rather than lose lines
    }
    flush();
    const old = fd;
    const closeOld = () => closeFd(old, () => {});
    fd = next;
    if (writing) oldFds.push(closeOld);
    else closeOld();
  });
  let closing: Promise<void> | null = null;
  return {
    write(entry) {
      append(JSON.stringify(entry));
    },
    writeLine: append,
    close() {
      closing ??= new Promise<void>((resolve) => {
        unregister();
        onIdle = () => {
          onIdle = null;
          if (standard === undefined) closeFd(fd, () => resolve());
          else resolve();
        };
        flush();
        if (!writing && queue.length === 0) onIdle();
      });
      return closing;
    },
  };
}
