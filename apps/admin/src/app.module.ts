import { Module, type DynamicModule } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ShellModule, type ShellParts } from './bootstrap/shell.module';
import { ClusteringModule } from './clustering/clustering.module';
import { ReleasesModule } from './cluster/releases/releases.module';
import { RolloutsModule } from './cluster/rollouts/rollouts.module';
import { RouteMatchModule } from './custom/debug-route-match/route-match.module';
import { CustomModule } from './custom/custom.module';
import { UpstreamHealthModule } from './custom/upstream-health';
import { NodeEndpointsModule } from './custom/node';
import { ProxyCacheModule } from './custom/proxy-cache/proxy-cache.module';
import { VaultsModule } from './custom/vaults/vaults.module';
import { EntitiesModule } from './entities';
import { PersistenceModule, type PersistenceSettings, type SchemaSource } from './persistence';

export interface AdminAppParts {
  readonly schemas?: SchemaSource;
  /** What the store opens (default: `settings`); the rest of the app sees `settings`. */
  readonly persistence?: PersistenceSettings;
  /** Imported before the custom endpoints, so their routes register first. */
  readonly modules?: readonly DynamicModule[];
}

/**
 * The Admin API application. Module order is route order: the custom endpoints register before the generic
 * entity routes so their static paths (`/plugins/enabled`, `/tags`) win.
 */
@Module({})
export class AdminAppModule {
  static forRoot(settings: Settings, shell: Omit<ShellParts, 'settings'>, parts: AdminAppParts = {}): DynamicModule {
    return {
      module: AdminAppModule,
      imports: [
        PersistenceModule.forRoot(parts.persistence ?? settings, { schemas: parts.schemas }),
        ShellModule.forRoot({ ...shell, settings }),
        ...(parts.modules ?? []),
        ReleasesModule,
        RouteMatchModule,
        CustomModule,
        UpstreamHealthModule.forRoot(settings),
        NodeEndpointsModule,
        ProxyCacheModule,
        VaultsModule,
        ClusteringModule,
        RolloutsModule,
        EntitiesModule,
      ],
    };
  }
}
