import { Body, Controller, Get, HttpCode, Inject, Param, Post } from '@nestjs/common';
import { SchemasService } from './schemas.service';

// Static segments are declared before parameters: express matches in registration order.
@Controller('/schemas')
export class SchemasController {
  constructor(@Inject(SchemasService) private readonly schemas: SchemasService) {}

  @Post('/plugins/validate')
  @HttpCode(200)
  validatePlugin(@Body() body: unknown) {
    return this.schemas.validatePlugin(body);
  }

  @Get('/plugins/:name')
  plugin(@Param('name') name: string) {
    return this.schemas.pluginSchema(name);
  }

  @Post('/:db_entity_name/validate')
  @HttpCode(200)
  validateEntity(@Param('db_entity_name') name: string, @Body() body: unknown) {
    return this.schemas.validateEntity(name, body);
  }

  @Get('/:name')
  entity(@Param('name') name: string) {
    return this.schemas.entitySchema(name);
  }
}
