// Access logs: one JSON line per request/stream, written asynchronously so logging never delays a response.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import pino from 'pino';

export interface AccessLog {
  write(entry: Record<string, unknown>): void;
  /** Writes out what is buffered; call on shutdown. */
  close(): Promise<void>;
}

const noop: AccessLog = { write() {}, close: async () => {} };

export function createAccessLog(path: string | null | undefined): AccessLog {
  if (!path) return noop;
  mkdirSync(dirname(path), { recursive: true });
  const dest = pino.destination({ dest: path, mkdir: true, sync: false });
  return {
    write(entry) {
      dest.write(JSON.stringify(entry) + '\n');
    },
    close() {
      return new Promise<void>((resolve) => {
        dest.once('close', () => resolve());
        dest.end();
      });
    },
  };
}
