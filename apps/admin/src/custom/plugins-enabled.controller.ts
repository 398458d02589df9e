import { Controller, Get, Inject } from '@nestjs/common';
import { PLUGIN_CATALOG } from '../bootstrap/tokens';
import type { PluginCatalog } from './plugin-catalog';

@Controller()
export class PluginsEnabledController {
  constructor(@Inject(PLUGIN_CATALOG) private readonly catalog: PluginCatalog) {}

  @Get('/plugins/enabled')
  enabled(): { enabled_plugins: string[] } {
    return { enabled_plugins: [...this.catalog.plugins.keys()].sort() };
  }
}
