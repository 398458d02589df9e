import { Module } from '@nestjs/common';
import { ProxyCacheController } from './proxy-cache.controller';
import { ProxyCacheService } from './proxy-cache.service';

/** proxy-cache's Admin API endpoints (Kong: the plugin's api.lua). */
@Module({ controllers: [ProxyCacheController], providers: [ProxyCacheService] })
export class ProxyCacheModule {}
