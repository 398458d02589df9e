import { Controller, Get, Header, Inject, Query } from '@nestjs/common';
import { ClusteringService, type DataPlanePage } from './clustering.service';

@Controller()
export class ClusteringController {
  constructor(@Inject(ClusteringService) private readonly clustering: ClusteringService) {}

  @Get('/clustering/data-planes')
  dataPlanes(@Query('size') size?: string, @Query('offset') offset?: string): Promise<DataPlanePage> {
    return this.clustering.dataPlanes(size, offset);
  }

  @Get('/clustering/status')
  @Header('Deprecation', 'true')
  status(): Promise<Record<string, unknown>> {
    return this.clustering.status();
  }
}
