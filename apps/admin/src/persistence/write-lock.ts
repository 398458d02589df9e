// Writes are serialised: one transaction at a time keeps FK checks, cascades and the SQLite connection simple,
// and a control plane's write rate is far below what one connection sustains.
export class WriteLock {
  private tail: Promise<unknown> = Promise.resolve();

  run<T>(work: () => Promise<T>): Promise<T> {
    const result = this.tail.then(work, work);
    this.tail = result.catch(() => undefined);
    return result;
  }
}
