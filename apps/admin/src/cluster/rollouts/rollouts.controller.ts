import { Body, Controller, Get, HttpCode, Inject, Param, Post, Query, Req } from '@nestjs/common';
import type { AdminRequest } from '../../common/http-types';
import { adminIdentityOf } from '../../bootstrap/access-control';
import type { RolloutView } from './rollout-view';
import { RolloutsService, type RolloutPage } from './rollouts.service';

@Controller()
export class RolloutsController {
  constructor(@Inject(RolloutsService) private readonly rollouts: RolloutsService) {}

  @Post('/rollouts')
  @HttpCode(201)
  open(@Body() body: unknown): Promise<RolloutView> {
    return this.rollouts.open(body);
  }

  @Get('/rollouts')
  list(@Query('size') size?: string, @Query('offset') offset?: string): Promise<RolloutPage> {
    return this.rollouts.list(size, offset);
  }

  @Get('/rollouts/:id')
  get(@Param('id') id: string): Promise<RolloutView> {
    return this.rollouts.get(id);
  }

  @Post('/rollouts/:id/promote')
  @HttpCode(200)
  promote(@Param('id') id: string): Promise<RolloutView> {
    return this.rollouts.promote(id);
  }

  @Post('/rollouts/:id/abort')
  @HttpCode(200)
  abort(@Param('id') id: string, @Body() body: unknown, @Req() req: AdminRequest): Promise<RolloutView> {
    return this.rollouts.abort(id, body, adminIdentityOf(req));
  }
}
