export { EntitiesModule } from './entities.module';
export { CrudService, type Verb, type CrudResult } from './crud.service';
export { routeSpecs, nestedSegment, type RouteSpec, type RouteKind } from './route-specs';
export { parseListQuery, parseSize, parseTags } from './list-query';
