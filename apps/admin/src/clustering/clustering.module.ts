// Operator view of hybrid mode on the Admin API. The registry it provides is the one the cluster listener
// fills (node.ts hands it over with `app.get(DATA_PLANE_REGISTRY)`).
import { Module } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ADMIN_SETTINGS } from '../bootstrap/tokens';
import { ClusteringController } from './clustering.controller';
import { ClusteringService } from './clustering.service';
import { DataPlaneRegistry } from './data-plane-registry';
import { DATA_PLANE_REGISTRY } from './tokens';

@Module({
  controllers: [ClusteringController],
  providers: [
    ClusteringService,
    { provide: DATA_PLANE_REGISTRY, inject: [ADMIN_SETTINGS], useFactory: (s: Settings) => new DataPlaneRegistry(s.cluster_data_plane_purge_delay) },
  ],
  exports: [DATA_PLANE_REGISTRY],
})
export class ClusteringModule {}
