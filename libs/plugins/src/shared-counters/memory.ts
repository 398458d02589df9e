// Where node-wide counters live. A Tollgate node runs several data-plane worker processes (node:cluster); Kong's
// `policy = local` counts per node, in an nginx shared dict all workers see. Our equivalent is a file under the
// prefix mapped MAP_SHARED by every worker (native/transparent's `shm` addon), read and written with Atomics.
// The supervisor removes the file when a node starts (counters start fresh, as Kong's shm does) and keeps it
// across reloads. A process that was not given a file (a test data plane, a single process) counts in its own
// memory with the same code.
import { mkdirSync, unlinkSync } from 'node:fs';
import { findNativeAddon, NATIVE_BUILD_HINT } from '@tollgate/config/native-addon';
import { dirname, join } from 'node:path';

interface ShmAddon {
  mapShared(path: string, size: number): ArrayBuffer;
}


export interface CounterMemory {
  readonly buffer: ArrayBuffer;
  /** Shared with the node's other workers (false: this process only). */
  readonly shared: boolean;
  /** Why it is not shared, when it should have been. */
  readonly problem: string | null;
}

let file: string | null = null;
const mapped = new Map<number, CounterMemory>();

/** The counters file of a node's prefix. */
export function sharedCountersFile(prefix: string): string {
  return join(prefix, 'shm', 'counters');
}

/** Called by a data-plane worker before any plugin is prepared: counters go to this node's file. */
export function useSharedCountersFile(path: string): void {
  file = path;
  mapped.clear();
}

/** Called by the supervisor when a node starts (not on reload): the node's counters start from zero. */
export function resetSharedCountersFile(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // none yet
  }
}

/** `bytes` of counter memory: the node's shared file when configured, else this process's own. */
export function counterMemory(bytes: number): CounterMemory {
  let memory = mapped.get(bytes);
  if (memory) return memory;
  if (file === null) {
    memory = { buffer: new ArrayBuffer(bytes), shared: false, problem: null };
  } else {
    const addon = findNativeAddon('shm');
    try {
      if (addon === null) throw new Error(`the native addon native/transparent (shm.node) is not built: ${NATIVE_BUILD_HINT}`);
      mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      memory = { buffer: (require(addon) as ShmAddon).mapShared(file, bytes), shared: true, problem: null };
    } catch (err) {
      memory = { buffer: new ArrayBuffer(bytes), shared: false, problem: `cannot map ${file}: ${(err as Error).message}` };
    }
  }
  mapped.set(bytes, memory);
  return memory;
}
