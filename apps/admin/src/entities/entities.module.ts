// Generic CRUD for every stored entity. Needs PersistenceModule (global) for Dao and the schema source.
// `EntitiesModule` serves libs/schema's registry; `EntitiesModule.forRoot(source)` serves another one (tests).
import { Logger, Module, type DynamicModule, type Type } from '@nestjs/common';
import { loadDefaultSchemaSource, type SchemaSource } from '../persistence';
import { storedSchemas } from '../persistence/schema-source';
import { controllerFor } from './controller-factory';
import { CrudService } from './crud.service';
import { routeSpecs } from './route-specs';

export function entityControllers(source: SchemaSource): Type<unknown>[] {
  return routeSpecs(source.entities, storedSchemas(source)).map(controllerFor);
}

function defaultControllers(): Type<unknown>[] {
  try {
    return entityControllers(loadDefaultSchemaSource());
  } catch (error) {
    new Logger('EntitiesModule').error(`libs/schema is not loadable, no entity routes: ${(error as Error).message}`);
    return [];
  }
}

@Module({})
class CustomSourceEntitiesModule {}

@Module({ controllers: defaultControllers(), providers: [CrudService], exports: [CrudService] })
export class EntitiesModule {
  static forRoot(source: SchemaSource): DynamicModule {
    return {
      module: CustomSourceEntitiesModule,
      controllers: entityControllers(source),
      providers: [CrudService],
      exports: [CrudService],
    };
  }
}
