import { Controller, Delete, Get, Inject, Param, Res } from '@nestjs/common';
import { notFound } from '@tollgate/errors';
import type { AdminResponse } from '../../common/http-types';
import { ProxyCacheService, type CacheAnswer } from './proxy-cache.service';

/**
 * Kong answers these with `kong.response.exit(status[, object])`: 204 has no body. Its bodiless 404 ends in
 * ngx.exit(404), which leaves the body to nginx's built-in HTML page; the Admin API's own 404 body
 * (`{"message":"Not found"}`) is sent instead, as for every other missing thing here.
 */
@Controller()
export class ProxyCacheController {
  constructor(@Inject(ProxyCacheService) private readonly cache: ProxyCacheService) {}

  @Delete('/proxy-cache')
  async purgeAll(@Res() res: AdminResponse): Promise<void> {
    send(res, await this.run(() => this.cache.purgeAll()));
  }

  @Get('/proxy-cache/:cache_key')
  async lookup(@Param('cache_key') key: string, @Res() res: AdminResponse): Promise<void> {
    send(res, await this.run(() => this.cache.lookup(key)));
  }

  @Delete('/proxy-cache/:cache_key')
  async purge(@Param('cache_key') key: string, @Res() res: AdminResponse): Promise<void> {
    send(res, await this.run(() => this.cache.purge(key)));
  }

  @Get('/proxy-cache/:plugin_id/caches/:cache_key')
  async lookupIn(@Param('plugin_id') id: string, @Param('cache_key') key: string, @Res() res: AdminResponse): Promise<void> {
    send(res, await this.run(() => this.cache.lookupIn(id, key)));
  }

  @Delete('/proxy-cache/:plugin_id/caches/:cache_key')
  async purgeIn(@Param('plugin_id') id: string, @Param('cache_key') key: string, @Res() res: AdminResponse): Promise<void> {
    send(res, await this.run(() => this.cache.purgeIn(id, key)));
  }

  /** A node without the plugin has no such endpoint: the Admin API's usual 404 body. */
  private run(answer: () => Promise<CacheAnswer>): Promise<CacheAnswer> {
    if (!this.cache.enabled) throw notFound();
    return answer();
  }
}

function send(res: AdminResponse, answer: CacheAnswer): void {
  if (answer.status === 404) throw notFound();
  if (answer.body === undefined) {
    res.writeHead(answer.status, { 'content-length': '0' });
    res.end();
    return;
  }
  const text = JSON.stringify(answer.body);
  res.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
