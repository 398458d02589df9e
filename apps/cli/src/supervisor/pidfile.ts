// The pid file is how `tollgate stop` and `tollgate health` find a node started in the same prefix.
import { existsSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function pidFilePath(prefix: string): string {
  return join(prefix, 'pids', 'tollgate.pid');
}

export function readPid(prefix: string): number | null {
  const path = pidFilePath(prefix);
  if (!existsSync(path)) return null;
  const pid = Number(readFileSync(path, 'utf8').trim());
  return Number.isInteger(pid) && pid > 0 ? pid : null;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Claims the prefix for this process; a live node already there is an error, a stale file is replaced. */
export function writePidFile(prefix: string): void {
  const existing = readPid(prefix);
  if (existing !== null && existing !== process.pid && isAlive(existing)) {
    throw Object.assign(new Error(`tollgate is already running in ${prefix} (pid ${existing}); stop it with \`tollgate stop -p ${prefix}\``), { expected: true });
  }
  mkdirSync(join(prefix, 'pids'), { recursive: true });
  writeFileSync(pidFilePath(prefix), `${process.pid}\n`);
}

export function removePidFile(prefix: string): void {
  const existing = readPid(prefix);
  if (existing === process.pid) {
    for (const path of [pidFilePath(prefix), listenersFilePath(prefix), reloadStatusPath(prefix)]) {
      try { unlinkSync(path); } catch { /* already gone */ }
    }
  }
}

/** Where the node's listeners were actually bound (ports may be 0 in the config), for `tollgate health`. */
export function listenersFilePath(prefix: string): string {
  return join(prefix, 'pids', 'listeners.json');
}

export function writeListenersFile(prefix: string, listeners: readonly { key: string; address: string; port: number }[]): void {
  writeFileSync(listenersFilePath(prefix), JSON.stringify(listeners) + '\n');
}

export function readListenersFile(prefix: string): { key: string; address: string; port: number }[] | null {
  try {
    return JSON.parse(readFileSync(listenersFilePath(prefix), 'utf8'));
  } catch {
    return null;
  }
}

/** The outcome of the last reload, for `tollgate reload` (which sends SIGHUP and waits for `seq` to move). */
export interface ReloadStatus {
  readonly pid: number;
  readonly seq: number;
  readonly ok: boolean;
  readonly message: string;
  /** The configuration file the node reads on every reload (null: defaults and environment only). */
  readonly conf: string | null;
}

export function reloadStatusPath(prefix: string): string {
  return join(prefix, 'pids', 'reload.json');
}

export function writeReloadStatus(prefix: string, status: ReloadStatus): void {
  writeFileSync(reloadStatusPath(prefix), JSON.stringify(status) + '\n');
}

export function readReloadStatus(prefix: string): ReloadStatus | null {
  try {
    return JSON.parse(readFileSync(reloadStatusPath(prefix), 'utf8'));
  } catch {
    return null;
  }
}
