// The running node's log level (`/debug/node/log-level`). The supervisor provides a control that reaches its own
// logger and every data-plane worker; without one (an Admin API alone) the level is this process's own.
export const NODE_LOG_LEVEL = Symbol('NODE_LOG_LEVEL');

export interface NodeLogLevel {
  current(): string;
  /** Applies `level` now; after `timeoutSeconds` (0: never) the configured `log_level` comes back. */
  set(level: string, timeoutSeconds: number): void;
  /** Sends the change to the other nodes on this node's database (`/debug/cluster/log-level`); absent where
   *  there are none to reach (SQLite: one node per database). */
  broadcast?(level: string, timeoutSeconds: number): Promise<void>;
}

/** A level held in memory, reverting on its own timer: the state behind every NodeLogLevel. */
export function revertingLevel(configured: string, apply: (level: string) => void): NodeLogLevel {
  let level = configured;
  let timer: NodeJS.Timeout | null = null;
  return {
    current: () => level,
    set(next, timeoutSeconds) {
      if (timer) clearTimeout(timer);
      timer = null;
      level = next;
      apply(next);
      if (timeoutSeconds > 0) {
        timer = setTimeout(() => {
          timer = null;
          level = configured;
          apply(configured);
        }, timeoutSeconds * 1000);
        timer.unref();
      }
    },
  };
}
