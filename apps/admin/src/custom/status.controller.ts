import { Controller, Get, Inject, Query } from '@nestjs/common';
import { StatusService } from './status.service';

@Controller()
export class StatusController {
  constructor(@Inject(StatusService) private readonly status: StatusService) {}

  @Get('/status')
  get(@Query('unit') unit?: string, @Query('scale') scale?: string): Promise<Record<string, unknown>> {
    return this.status.report(unit, scale);
  }
}
