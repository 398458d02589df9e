import { Module } from '@nestjs/common';
import { VaultSchemasController } from './vault-schemas.controller';

@Module({ controllers: [VaultSchemasController] })
export class VaultsModule {}
