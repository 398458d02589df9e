import { Controller, Get, Inject } from '@nestjs/common';
import type { RouteCatalog } from '../bootstrap/route-catalog';
import { ROUTE_CATALOG } from '../bootstrap/tokens';

@Controller()
export class EndpointsController {
  constructor(@Inject(ROUTE_CATALOG) private readonly catalog: RouteCatalog) {}

  @Get('/endpoints')
  list(): { data: string[] } {
    return { data: this.catalog.kongEndpoints() };
  }
}
