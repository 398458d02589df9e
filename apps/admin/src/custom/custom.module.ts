import { Module } from '@nestjs/common';
import { AcmeController } from './acme/acme.controller';
import { AcmeService } from './acme/acme.service';
import { ConfigController } from './config.controller';
import { EndpointsController } from './endpoints.controller';
import { NodeInfoService } from './node-info.service';
import { PluginsEnabledController } from './plugins-enabled.controller';
import { RootController } from './root.controller';
import { SchemasController } from './schemas.controller';
import { SchemasService } from './schemas.service';
import { StatusController } from './status.controller';
import { StatusService } from './status.service';
import { TagsController } from './tags.controller';
import { TagsService } from './tags.service';

/** Endpoints that are not plain CRUD. Imported before the entity module: `/plugins/enabled` must win over `/plugins/:id`. */
@Module({
  controllers: [RootController, StatusController, EndpointsController, SchemasController, PluginsEnabledController, TagsController, ConfigController, AcmeController],
  providers: [NodeInfoService, StatusService, SchemasService, TagsService, AcmeService],
  exports: [AcmeService],
})
export class CustomModule {}
