// The Admin API's line to the balancers of this node's data-plane workers (traditional mode). The control plane
// starts before the workers, so the pool is attached once it exists; until then no balancer answers.
import type { DynamicModule } from '@nestjs/common';
import { DATA_PLANE_LINK, type DataPlaneLink } from '../../../admin/src/custom/upstream-health';
import type { HealthAnswer, HealthQuery } from '@tollgate/protocol';
import { nodeDnsReport } from './dns-report';
import type { WorkerPool } from './workers';

const ANSWER_TIMEOUT_MS = 2000;
/** How long a query waits for the workers to apply the version that holds the entities it names. */
const APPLY_TIMEOUT_MS = 5000;
const APPLY_POLL_MS = 10;

export interface WorkerHealthLink extends DataPlaneLink {
  attach(pool: WorkerPool): void;
  /** Provides the link to the Admin API's upstream health endpoints. */
  module(): DynamicModule;
}

/** `workerProcesses`: the node's configured count, Kong's ngx.worker.count() in GET /status/dns. */
export function workerHealthLink(workerProcesses: number): WorkerHealthLink {
  let pool: WorkerPool | null = null;
  const link: WorkerHealthLink = {
    attach(p) {
      pool = p;
    },
    async askHealth(query: HealthQuery, configHash: string): Promise<HealthAnswer[]> {
      if (!pool) return [];
      const deadline = Date.now() + APPLY_TIMEOUT_MS;
      while (pool.appliedHash() !== configHash && Date.now() < deadline) await new Promise((r) => setTimeout(r, APPLY_POLL_MS));
      return pool.askHealth(query, ANSWER_TIMEOUT_MS);
    },
    dnsReport() {
      return nodeDnsReport(pool, workerProcesses);
    },
    module() {
      class DataPlaneLinkModule {}
      return { module: DataPlaneLinkModule, global: true, providers: [{ provide: DATA_PLANE_LINK, useValue: link }], exports: [DATA_PLANE_LINK] };
    },
  };
  return link;
}
