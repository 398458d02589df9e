import { Body, Controller, HttpCode, Inject, Post } from '@nestjs/common';
import { RouteMatchService } from './route-match.service';

@Controller()
export class RouteMatchController {
  constructor(@Inject(RouteMatchService) private readonly routeMatch: RouteMatchService) {}

  @Post('/debug/route-match')
  @HttpCode(200)
  explain(@Body() body: unknown): Promise<Record<string, unknown>> {
    return this.routeMatch.explain(body);
  }
}
