import { Module, type DynamicModule } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { ShellModule, type ShellParts } from './bootstrap/shell.module';
import { ClusteringModule } from './clustering/clustering.module';
import { CustomModule } from './custom/custom.module';
import { EntitiesModule } from './entities';
import { PersistenceModule, type SchemaSource } from './persistence';

/**
 * The Admin API application. Module order is route order: the custom endpoints register before the generic
 * entity routes so their static paths (`/plugins/enabled`, `/tags`) win.
 */
@Module({})
export class AdminAppModule {
  static forRoot(settings: Settings, shell: Omit<ShellParts, 'settings'>, schemas?: SchemaSource): DynamicModule {
    return {
      module: AdminAppModule,
      imports: [PersistenceModule.forRoot(settings, { schemas }), ShellModule.forRoot({ ...shell, settings }), CustomModule, ClusteringModule, EntitiesModule],
    };
  }
}
