// Operator view of hybrid mode on the Admin API. The registry it provides is the one the cluster listener
// fills (node.ts hands it over with `app.get(DATA_PLANE_REGISTRY)`); with a database it writes through to the
// clustering_data_planes table, so every control plane lists every data plane.
import { Logger, Module } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ADMIN_SETTINGS } from '../bootstrap/tokens';
import { DataPlaneStore } from '../cluster/registry/data-plane-store';
import { ReleasesModule } from '../cluster/releases/releases.module';
import { Dao } from '../persistence';
import { ClusteringController } from './clustering.controller';
import { ClusteringService } from './clustering.service';
import { DataPlaneRegistry } from './data-plane-registry';
import { DATA_PLANE_REGISTRY, DATA_PLANE_STORE } from './tokens';

@Module({
  imports: [ReleasesModule],
  controllers: [ClusteringController],
  providers: [
    ClusteringService,
    {
      provide: DATA_PLANE_STORE,
      inject: [ADMIN_SETTINGS, Dao],
      useFactory: (s: Settings, dao: Dao) =>
        s.database === 'off' ? null : new DataPlaneStore(dao, s.cluster_data_plane_purge_delay, { error: (msg) => new Logger('clustering').error(msg) }),
    },
    {
      provide: DATA_PLANE_REGISTRY,
      inject: [ADMIN_SETTINGS, DATA_PLANE_STORE],
      useFactory: (s: Settings, store: DataPlaneStore | null) => new DataPlaneRegistry(s.cluster_data_plane_purge_delay, undefined, store),
    },
  ],
  exports: [DATA_PLANE_REGISTRY, DATA_PLANE_STORE, ClusteringService],
})
export class ClusteringModule {}
