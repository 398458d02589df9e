// Log files are reopened on SIGUSR1 / `tollgate logs reopen`, as nginx does for logrotate: after the rotation
// moved a file away, the process keeps writing to the moved file until it opens the path again.
const reopeners = new Set<() => void>();

/** Registers a file writer; returns the function that unregisters it (when the writer is closed). */
export function onReopen(reopen: () => void): () => void {
  reopeners.add(reopen);
  return () => reopeners.delete(reopen);
}

/** Reopens every log file this process writes; returns how many. */
export function reopenLogFiles(): number {
  for (const reopen of reopeners) reopen();
  return reopeners.size;
}
