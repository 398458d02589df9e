// Active health checks: one loop probes the healthy addresses every healthy.interval, another the
// unhealthy ones every unhealthy.interval (an interval of 0 turns that loop off). Each round runs at most
// `concurrency` probes at a time and the next round starts one interval after this one started.
import type { Address } from '../address';
import type { HealthConfig } from './health-config';
import type { CheckEvent } from './health-state';
import { type ProbeHandle, type ProbeTls, probe } from './probe';

export interface ActiveCheckerDeps {
  readonly config: HealthConfig;
  /** The addresses currently in the balancer (re-read each round: DNS may change them). */
  readonly addresses: () => readonly Address[];
  readonly hostHeaderOf: (a: Address) => string;
  readonly onResult: (a: Address, event: CheckEvent) => void;
  readonly tls?: ProbeTls;
}

export class ActiveChecker {
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inflight = new Set<ProbeHandle>();
  private running = false;

  constructor(private readonly deps: ActiveCheckerDeps) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    const { healthyIntervalMs, unhealthyIntervalMs } = this.deps.config;
    if (healthyIntervalMs > 0) this.schedule(true, healthyIntervalMs);
    if (unhealthyIntervalMs > 0) this.schedule(false, unhealthyIntervalMs);
  }

  stop(): void {
    this.running = false;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    for (const p of this.inflight) p.abort();
    this.inflight.clear();
  }

  private schedule(healthy: boolean, intervalMs: number): void {
    const timer = setTimeout(async () => {
      this.timers.delete(timer);
      if (!this.running) return;
      const startedAt = Date.now();
      await this.round(healthy);
      if (this.running) this.schedule(healthy, Math.max(0, intervalMs - (Date.now() - startedAt)));
    }, intervalMs);
    timer.unref();
    this.timers.add(timer);
  }

  /** Probes every address currently in the given state; resolves when all probes are done. */
  async round(healthy: boolean): Promise<void> {
    const queue = this.deps.addresses().filter((a) => a.healthy === healthy);
    const workers = Math.min(this.deps.config.concurrency, queue.length);
    let next = 0;
    const work = async () => {
      while (this.running && next < queue.length) {
        const a = queue[next++];
        const handle = probe(a, this.deps.config, this.deps.hostHeaderOf(a), this.deps.tls);
        this.inflight.add(handle);
        const event = await handle.result;
        this.inflight.delete(handle);
        if (this.running && event !== null) this.deps.onResult(a, event);
      }
    };
    await Promise.all(Array.from({ length: workers }, work));
  }
}
