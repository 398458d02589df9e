import { Controller, Get, Inject, Param, Put, Req } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { notFound } from '@tollgate/errors';
import { ADMIN_SETTINGS } from '../../bootstrap/tokens';
import type { AdminRequest } from '../../common/http-types';
import { LogLevelService } from './log-level.service';

function timeoutOf(req: AdminRequest): unknown {
  const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
  return req.query.timeout ?? body.timeout;
}

@Controller()
export class LogLevelController {
  constructor(
    @Inject(LogLevelService) private readonly logLevel: LogLevelService,
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
  ) {}

  @Get('/debug/node/log-level')
  get(): { message: string } {
    return this.logLevel.get();
  }

  @Put('/debug/node/log-level/:log_level')
  set(@Param('log_level') level: string, @Req() req: AdminRequest): Promise<{ message: string }> {
    return this.logLevel.set(level, timeoutOf(req));
  }

  // Kong names the cluster-wide route by role: control planes reach the other control planes on their database
  @Put('/debug/cluster/log-level/:log_level')
  setCluster(@Param('log_level') level: string, @Req() req: AdminRequest): Promise<{ message: string }> {
    if (this.settings.role === 'control_plane') throw notFound();
    return this.logLevel.set(level, timeoutOf(req), true);
  }

  @Put('/debug/cluster/control-planes-nodes/log-level/:log_level')
  setControlPlanes(@Param('log_level') level: string, @Req() req: AdminRequest): Promise<{ message: string }> {
    if (this.settings.role !== 'control_plane') throw notFound();
    return this.logLevel.set(level, timeoutOf(req), true);
  }
}
