// `GET /schemas/vaults/{name}`: a vault implementation's own schema (its `config` record), as Kong answers it.
import { Controller, Get, Param } from '@nestjs/common';
import { messageError } from '@tollgate/errors';
import { fieldsJson, VAULT_CONFIGS } from '@tollgate/schema';

@Controller()
export class VaultSchemasController {
  @Get('/schemas/vaults/:name')
  schema(@Param('name') name: string): Record<string, unknown> {
    const config = VAULT_CONFIGS.get(name);
    if (!config) throw messageError(404, `No vault named '${name}'`);
    return { fields: fieldsJson([['config', { type: 'record', fields: config }]]) };
  }
}
