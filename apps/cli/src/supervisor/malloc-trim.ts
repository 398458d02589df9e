// Gives glibc malloc's free pages back to the kernel in a node's long-lived processes (supervisor and workers). free()
// only shrinks malloc's heap from its top, so memory freed below a live block stays resident: a data-plane supervisor
// keeps ~6 MiB of the memory a full snapshot's body and its IPC copy went through, a worker ~20 MiB after a burst of
// traffic (V8's compiler zones, read buffers, Buffers freed by the GC), bench/memory. malloc_trim (native/transparent's
// `memory` addon) releases them. It runs after each major GC (when V8 has just freed the external memory of dead
// Buffers) and every TRIM_INTERVAL_MS (the compiler frees its zones without any GC); a trim walks malloc's free lists
// (a few milliseconds for a 200 MiB heap, less for a worker's 25 MiB). Without the addon, or off glibc, nothing is
// trimmed and nothing fails.
import { findNativeAddon } from '@tollgate/config/native-addon';
import { PerformanceObserver, constants } from 'node:perf_hooks';

interface MemoryAddon {
  trimMalloc(): boolean;
  limitMallocArenas(n: number): boolean;
}

/**
 * glibc malloc arenas for a node's processes: their helper threads (V8's GC and compiler, libuv's pool) allocate
 * little, and an arena each costs 0.5 to 2 MiB resident (bench/memory: about 5 MiB for supervisor and worker).
 * Workers get it as MALLOC_ARENA_MAX at fork (every arena); the running supervisor through mallopt (new ones).
 * An operator's own MALLOC_ARENA_MAX wins.
 */
export const MALLOC_ARENAS = 1;

/** The environment a worker is forked with: the supervisor's, plus MALLOC_ARENA_MAX unless the operator set it. */
export function workerMallocEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return env.MALLOC_ARENA_MAX === undefined ? { MALLOC_ARENA_MAX: String(MALLOC_ARENAS) } : {};
}

export const TRIM_INTERVAL_MS = 10_000;
/** Trims closer together than this are merged into one: a GC storm costs one trim. */
const MIN_GAP_MS = 1_000;

function loadAddon(): MemoryAddon | null {
  const path = findNativeAddon('memory');
  if (path === null) return null;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require(path) as MemoryAddon;
  } catch {
    return null;
  }
}

export interface MallocTrimmer {
  /** False when this process cannot trim (no addon, not glibc): start() then did nothing. */
  readonly available: boolean;
  stop(): void;
}

/** Caps this process's malloc arenas (unless MALLOC_ARENA_MAX is set) and starts trimming its heap; once per process. */
export function startMallocTrimmer(intervalMs = TRIM_INTERVAL_MS): MallocTrimmer {
  const addon = process.platform === 'linux' ? loadAddon() : null;
  if (!addon) return { available: false, stop: () => {} };
  if (process.env.MALLOC_ARENA_MAX === undefined) addon.limitMallocArenas(MALLOC_ARENAS);
  let last = 0;
  let pending: NodeJS.Timeout | null = null;
  const trim = () => {
    pending = null;
    last = Date.now();
    addon.trimMalloc();
  };
  const soon = () => {
    if (pending) return;
    pending = setTimeout(trim, Math.max(0, last + MIN_GAP_MS - Date.now()));
    pending.unref();
  };
  const interval = setInterval(soon, intervalMs);
  interval.unref();
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      if (((entry as { detail?: { kind?: number } }).detail)?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) return soon();
    }
  });
  observer.observe({ entryTypes: ['gc'] });
  return {
    available: true,
    stop: () => {
      clearInterval(interval);
      if (pending) clearTimeout(pending);
      observer.disconnect();
    },
  };
}
