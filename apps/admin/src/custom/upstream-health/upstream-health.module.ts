import { Module, type DynamicModule } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { TargetHealthController, UpstreamHealthController } from './upstream-health.controller';
import { UpstreamHealthService } from './upstream-health.service';

@Module({})
export class UpstreamHealthModule {
  static forRoot(settings: Settings): DynamicModule {
    return {
      module: UpstreamHealthModule,
      controllers: settings.role === 'control_plane' ? [UpstreamHealthController] : [UpstreamHealthController, TargetHealthController],
      providers: [UpstreamHealthService],
    };
  }
}
