// Node-level Admin API endpoints of Kong's kong/api/routes/kong.lua and cache.lua that are not entity CRUD.
import { Controller, Delete, Get, HttpCode, Inject, Optional } from '@nestjs/common';
import type { Settings } from '@tollgate/config';
import { dnsStatusAnswer, messageError, noResolverDnsReport, notFound, type DnsStatusReport } from '@tollgate/errors';
import { ADMIN_SETTINGS } from '../../bootstrap/tokens';
import { DATA_PLANE_LINK, type DataPlaneLink } from '../upstream-health/data-plane-link';
import { timersReport } from './timers';

@Controller()
export class NodeController {
  constructor(
    @Inject(ADMIN_SETTINGS) private readonly settings: Settings,
    @Optional() @Inject(DATA_PLANE_LINK) private readonly link?: DataPlaneLink,
  ) {}

  @Get('/timers')
  timers(): Record<string, unknown> {
    return timersReport(this.settings.worker_processes);
  }

  /** The statistics come from this node's data-plane workers; a control plane without any resolves no name. */
  @Get('/status/dns')
  async dns(): Promise<DnsStatusReport> {
    const answer = await dnsStatusAnswer(this.settings.new_dns_client, () =>
      this.link?.dnsReport() ?? Promise.resolve(noResolverDnsReport(this.settings.worker_processes)));
    if (answer.status !== 200) throw messageError(answer.status, answer.body.message);
    return answer.body;
  }

  /**
   * Kong's node cache (mlcache) holds entities and plugin values by key. Tollgate keeps no such cache: entities reach
   * the data plane in compiled snapshots, so no key is ever cached and a purge has nothing to drop.
   */
  @Get('/cache/:key')
  cached(): never {
    throw notFound();
  }

  @Delete('/cache/:key')
  @HttpCode(204)
  invalidate(): void {}

  @Delete('/cache')
  @HttpCode(204)
  purge(): void {}
}
