// Node's closest analogue of nginx timers: the event loop's scheduled timeouts are pending; none runs outside the
// loop, and Node keeps no count of past runs.
export function pendingTimers(): number {
  return process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;
}

/** `GET /timers` in Kong's shape (kong/api/routes/kong.lua: worker + kong.timer:stats()). */
export function timersReport(workers: number): Record<string, unknown> {
  const pending = pendingTimers();
  return {
    worker: { id: 0, count: workers },
    stats: {
      flamegraph: { running: '', pending: '', elapsed_time: '' },
      sys: { running: 0, runs: 0, pending, waiting: 0, total: pending },
      timers: {},
    },
  };
}
