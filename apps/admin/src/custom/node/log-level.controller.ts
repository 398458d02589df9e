import { Controller, Get, Inject, Param, Put, Req } from '@nestjs/common';
import type { AdminRequest } from '../../common/http-types';
import { LogLevelService } from './log-level.service';

@Controller()
export class LogLevelController {
  constructor(@Inject(LogLevelService) private readonly logLevel: LogLevelService) {}

  @Get('/debug/node/log-level')
  get(): { message: string } {
    return this.logLevel.get();
  }

  @Put('/debug/node/log-level/:log_level')
  set(@Param('log_level') level: string, @Req() req: AdminRequest): { message: string } {
    const body = req.body && typeof req.body === 'object' ? (req.body as Record<string, unknown>) : {};
    return this.logLevel.set(level, req.query.timeout ?? body.timeout);
  }
}
