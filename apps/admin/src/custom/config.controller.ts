import { Controller, Get, Post } from '@nestjs/common';
import { messageError } from '@tollgate/errors';

const ONLY_DBLESS = 'this endpoint is only available when Kong is configured to not use a database';

/**
 * `/config` exists in every mode, as in Kong (so `/endpoints` and OPTIONS list it), but only DB-less serves it
 * (kong-admin-api.md §3.1, §8.2): with a database both methods are 400. In DB-less mode the dbless layer
 * answers `/config` before the routes, so these handlers only ever run with a database.
 */
@Controller()
export class ConfigController {
  @Get('/config')
  get(): never {
    throw messageError(400, ONLY_DBLESS);
  }

  @Post('/config')
  post(): never {
    throw messageError(400, ONLY_DBLESS);
  }
}
