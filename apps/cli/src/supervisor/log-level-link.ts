// `/debug/node/log-level` for a whole node: the supervisor's logger (control plane included) and every data-plane
// worker, present and future (a worker restarted while the level is changed starts with it).
import type { DynamicModule } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import type { TollgateLogger } from '@tollgate/logging';
import { NODE_LOG_LEVEL, revertingLevel, type NodeLogLevel } from '../../../admin/src/custom/node';
import type { WorkerPool } from './workers';

export interface NodeLogLevelLink {
  attach(pool: WorkerPool): void;
  /** The other nodes on this node's database: where `/debug/cluster/log-level` sends a change. */
  attachCluster(broadcast: (level: string, timeoutSeconds: number) => Promise<void>): void;
  /** A change another node broadcast: applied here as a node-level change. */
  applyRemote(level: string, timeoutSeconds: number): void;
  module(): DynamicModule;
}

export function nodeLogLevelLink(settings: Settings, log: TollgateLogger): NodeLogLevelLink {
  let pool: WorkerPool | null = null;
  let cluster: ((level: string, timeoutSeconds: number) => Promise<void>) | null = null;
  const local = revertingLevel(settings.log_level, (next) => {
    log.level = next;
    pool?.setLogLevel(next);
  });
  const level: NodeLogLevel = { ...local, broadcast: (l, t) => (cluster ? cluster(l, t) : Promise.resolve()) };
  return {
    attach(p) {
      pool = p;
    },
    attachCluster(broadcast) {
      cluster = broadcast;
    },
    applyRemote(next, timeoutSeconds) {
      log.info({ level: next, timeout: timeoutSeconds }, 'log level changed by another node of the cluster');
      local.set(next, timeoutSeconds);
    },
    module() {
      class NodeLogLevelModule {}
      return { module: NodeLogLevelModule, global: true, providers: [{ provide: NODE_LOG_LEVEL, useValue: level }], exports: [NODE_LOG_LEVEL] };
    },
  };
}
