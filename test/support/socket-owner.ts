// Which process holds the server end of a TCP connection (Linux /proc): lets a test address one data-plane
// worker of a node on purpose, instead of hoping the kernel spreads connections over them.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** Child pids of `pid` (a node's supervisor: its data-plane workers). */
export function childPids(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

function hexPort(port: number): string {
  return port.toString(16).toUpperCase().padStart(4, '0');
}

/** Inode of the server-side socket of the loopback connection between `clientPort` and `serverPort`. */
function serverSocketInode(serverPort: number, clientPort: number): string | null {
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    if (f.length < 10) continue;
    if (f[1].endsWith(`:${hexPort(serverPort)}`) && f[2].endsWith(`:${hexPort(clientPort)}`)) return f[9];
  }
  return null;
}

/** The pid among `pids` that holds the server end of the connection, or null. */
export function serverPidOf(serverPort: number, clientPort: number, pids: readonly number[]): number | null {
  const inode = serverSocketInode(serverPort, clientPort);
  if (inode === null || inode === '0') return null;
  const target = `socket:[${inode}]`;
  for (const pid of pids) {
    let fds: string[];
    try {
      fds = readdirSync(`/proc/${pid}/fd`);
    } catch {
      continue;
    }
    for (const fd of fds) {
      try {
        if (readlinkSync(`/proc/${pid}/fd/${fd}`) === target) return pid;
      } catch {
        // closed meanwhile
      }
    }
  }
  return null;
}
