// `/debug/node/log-level` for a whole node: the supervisor's logger (control plane included) and every data-plane
// worker, present and future (a worker restarted while the level is changed starts with it).
import type { DynamicModule } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import type { TollgateLogger } from '@tollgate/logging';
import { NODE_LOG_LEVEL, revertingLevel } from '../../../admin/src/custom/node';
import type { WorkerPool } from './workers';

export interface NodeLogLevelLink {
  attach(pool: WorkerPool): void;
  module(): DynamicModule;
}

export function nodeLogLevelLink(settings: Settings, log: TollgateLogger): NodeLogLevelLink {
  let pool: WorkerPool | null = null;
  const level = revertingLevel(settings.log_level, (next) => {
    log.level = next;
    pool?.setLogLevel(next);
  });
  return {
    attach(p) {
      pool = p;
    },
    module() {
      class NodeLogLevelModule {}
      return { module: NodeLogLevelModule, global: true, providers: [{ provide: NODE_LOG_LEVEL, useValue: level }], exports: [NODE_LOG_LEVEL] };
    },
  };
}
