// Staged rollouts: the Admin API (/rollouts), the state in the database, the pins the cluster listener asks
// (node.ts hands them over with `app.get(ROLLOUT_PINS)`), and the clock that ends holds.
import { Inject, Logger, Module, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { ClusteringModule } from '../../clustering/clustering.module';
import { ClusteringService } from '../../clustering/clustering.service';
import { Dao } from '../../persistence';
import { ReleasesModule } from '../releases/releases.module';
import type { ReleaseStore } from '../releases/release-store';
import { RELEASE_STORE } from '../releases/tokens';
import { RolloutClock } from './rollout-clock';
import { RolloutPins } from './rollout-pins';
import { RolloutStore } from './rollout-store';
import { RolloutsController } from './rollouts.controller';
import { RolloutsService } from './rollouts.service';
import { reached, stageOf } from './rollout-types';
import { ROLLOUT_PINS, ROLLOUT_STORE } from './tokens';

@Module({
  imports: [ReleasesModule, ClusteringModule],
  controllers: [RolloutsController],
  providers: [
    RolloutsService,
    { provide: ROLLOUT_STORE, inject: [Dao], useFactory: (dao: Dao) => new RolloutStore(dao) },
    {
      provide: ROLLOUT_PINS,
      inject: [ROLLOUT_STORE, RELEASE_STORE],
      useFactory: (store: RolloutStore, releases: ReleaseStore) =>
        new RolloutPins(store, releases, (err) => new Logger('rollouts').error(`reading the open rollout failed: ${(err as Error).message}`)),
    },
  ],
  exports: [ROLLOUT_PINS],
})
export class RolloutsModule implements OnApplicationBootstrap, OnApplicationShutdown {
  private clock: RolloutClock | null = null;

  constructor(
    @Inject(ROLLOUT_STORE) private readonly store: RolloutStore,
    @Inject(RolloutsService) private readonly rollouts: RolloutsService,
    @Inject(ClusteringService) private readonly clustering: ClusteringService,
  ) {}

  onApplicationBootstrap(): void {
    // GET /clustering/data-planes shows each data plane's stage in the open rollout
    this.clustering.useRolloutPlacement(async () => {
      const open = await this.store.open();
      return open ? (labels) => ({ id: open.id, stage: stageOf(open.stages, labels), reached: reached(open, labels) }) : null;
    });
    const logger = new Logger('rollouts');
    this.clock = new RolloutClock({
      store: this.store,
      promoteFrom: (id, from) => this.rollouts.promoteFrom(id, from),
      abortCondition: (rollout) => this.rollouts.errorBudgetExceeded(rollout),
      abort: (id, reason) => this.rollouts.abort(id, { reason }),
      log: { error: (msg) => logger.error(msg) },
    });
    this.clock.start();
  }

  onApplicationShutdown(): void {
    this.clock?.stop();
  }
}
