import { Controller, Get, HttpCode, Inject, Param, Post, Query, Req, Res } from '@nestjs/common';
import type { AdminRequest, AdminResponse } from '../../common/http-types';
import { adminIdentityOf } from '../../bootstrap/access-control';
import type { ReleaseDiff } from './release-diff';
import type { Release, ReleasePage } from './release-types';
import { ReleasesService } from './releases.service';

@Controller()
export class ReleasesController {
  constructor(@Inject(ReleasesService) private readonly releases: ReleasesService) {}

  @Get('/config/releases')
  list(@Query('size') size?: string, @Query('offset') offset?: string): Promise<ReleasePage> {
    return this.releases.list(size, offset);
  }

  @Get('/config/releases/:number')
  get(@Param('number') number: string): Promise<Release> {
    return this.releases.get(number);
  }

  @Get('/config/releases/:number/config')
  async config(@Param('number') number: string, @Query('format') format: string | undefined, @Res() res: AdminResponse): Promise<void> {
    const out = await this.releases.config(number, format);
    res.writeHead(200, { 'content-type': out.contentType, 'content-length': Buffer.byteLength(out.text) });
    res.end(out.text);
  }

  @Get('/config/releases/:number/diff')
  diff(@Param('number') number: string, @Query('against') against?: string): Promise<ReleaseDiff> {
    return this.releases.diff(number, against);
  }

  @Post('/config/releases/:number/rollback')
  @HttpCode(201)
  rollback(@Param('number') number: string, @Req() req: AdminRequest): Promise<Release> {
    return this.releases.rollback(number, adminIdentityOf(req));
  }
}
