import { Controller, Get, Inject } from '@nestjs/common';
import { NodeInfoService } from './node-info.service';

@Controller()
export class RootController {
  constructor(@Inject(NodeInfoService) private readonly nodeInfo: NodeInfoService) {}

  @Get('/')
  root(): Promise<Record<string, unknown>> {
    return this.nodeInfo.information();
  }
}
