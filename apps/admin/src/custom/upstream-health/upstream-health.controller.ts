import { Controller, Get, HttpCode, Inject, Param, Post, Put, Req } from '@nestjs/common';
import type { AdminRequest } from '../../common/http-types';
import { UpstreamHealthService } from './upstream-health.service';

@Controller()
export class UpstreamHealthController {
  constructor(@Inject(UpstreamHealthService) private readonly health: UpstreamHealthService) {}

  @Get('/upstreams/:upstreams/health')
  get(@Param('upstreams') upstream: string, @Req() req: AdminRequest): Promise<Record<string, unknown>> {
    return this.health.health(upstream, req);
  }
}

/**
 * Kong registers these only when the node runs balancers (not on a control plane in hybrid mode). POST is the
 * Kong 1.x verb, still what go-kong 0.15 (Debian's) sends; Kong 3.10 knows only PUT.
 */
@Controller()
export class TargetHealthController {
  constructor(@Inject(UpstreamHealthService) private readonly health: UpstreamHealthService) {}

  @Post('/upstreams/:upstreams/targets/:targets/healthy')
  @HttpCode(204)
  healthyLegacy(@Param('upstreams') upstream: string, @Param('targets') target: string): Promise<void> {
    return this.health.setHealth(upstream, target, null, true);
  }

  @Put('/upstreams/:upstreams/targets/:targets/healthy')
  @HttpCode(204)
  healthy(@Param('upstreams') upstream: string, @Param('targets') target: string): Promise<void> {
    return this.health.setHealth(upstream, target, null, true);
  }

  @Post('/upstreams/:upstreams/targets/:targets/unhealthy')
  @HttpCode(204)
  unhealthyLegacy(@Param('upstreams') upstream: string, @Param('targets') target: string): Promise<void> {
    return this.health.setHealth(upstream, target, null, false);
  }

  @Put('/upstreams/:upstreams/targets/:targets/unhealthy')
  @HttpCode(204)
  unhealthy(@Param('upstreams') upstream: string, @Param('targets') target: string): Promise<void> {
    return this.health.setHealth(upstream, target, null, false);
  }

  @Put('/upstreams/:upstreams/targets/:targets/:address/healthy')
  @HttpCode(204)
  addressHealthy(@Param('upstreams') upstream: string, @Param('targets') target: string, @Param('address') address: string): Promise<void> {
    return this.health.setHealth(upstream, target, address, true);
  }

  @Put('/upstreams/:upstreams/targets/:targets/:address/unhealthy')
  @HttpCode(204)
  addressUnhealthy(@Param('upstreams') upstream: string, @Param('targets') target: string, @Param('address') address: string): Promise<void> {
    return this.health.setHealth(upstream, target, address, false);
  }
}
