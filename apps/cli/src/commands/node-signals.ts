// Talking to a running node by signal, as `kong stop|quit|reload` talk to nginx: the pid comes from the prefix.
import { isAlive } from '../supervisor/pidfile';

const POLL_MS = 50;

/** True once `pid` is gone, false when `timeoutMs` passed first. */
export async function waitForExit(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (!isAlive(pid)) return true;
    if (Date.now() >= deadline) return false;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

/** Polls `probe` until it returns a value or `timeoutMs` passes (then undefined). */
export async function pollFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = probe();
    if (v !== undefined || Date.now() >= deadline) return v;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}
