// Calls from a data-plane worker to its supervisor over the process's IPC channel, each answered by id. The entity
// store, the node cache and the acme link share this one table of waiting calls rather than keeping one each.

/** What the supervisor sends back: the call's id and a type telling which caller it is for. */
export interface IpcAnswer {
  readonly type: string;
  readonly id: number;
}

export interface IpcCaller {
  /** An id for a one-way message (nobody waits for an answer). */
  nextId(): number;
  /**
   * Sends `build(id)` and settles with the answer carrying that id. Without an answer within the time-out: rejects
   * with `timeoutError` when one is given, else resolves null (for callers where no answer means a miss).
   */
  call<A extends IpcAnswer>(build: (id: number) => unknown, timeoutError: string | null): Promise<A | null>;
}

export function ipcCaller(
  send: (msg: never) => void,
  onReply: (listener: (msg: unknown) => void) => void,
  answerType: string,
  timeoutMs: number,
): IpcCaller {
  let seq = 0;
  const waiting = new Map<number, { resolve: (answer: IpcAnswer | null) => void; timer: NodeJS.Timeout }>();
  onReply((msg) => {
    const answer = msg as IpcAnswer | null;
    if (!answer || answer.type !== answerType) return;
    const w = waiting.get(answer.id);
    if (!w) return;
    waiting.delete(answer.id);
    clearTimeout(w.timer);
    w.resolve(answer);
  });
  return {
    nextId: () => ++seq,
    call: <A extends IpcAnswer>(build: (id: number) => unknown, timeoutError: string | null) =>
      new Promise<A | null>((resolve, reject) => {
        const id = ++seq;
        const timer = setTimeout(() => {
          waiting.delete(id);
          if (timeoutError === null) resolve(null);
          else reject(new Error(timeoutError));
        }, timeoutMs);
        waiting.set(id, { resolve: resolve as (answer: IpcAnswer | null) => void, timer });
        send(build(id) as never);
      }),
  };
}
