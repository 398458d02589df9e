// One controller class per route spec, generated from the schemas (no hand-written copies). Each method is one
// statement delegating to CrudService.
import { Controller, HttpCode, Inject, Req, RequestMapping, RequestMethod, type Type } from '@nestjs/common';
import type { AdminRequest as Request } from '../common/http-types';
import { CrudService, type Verb } from './crud.service';
import { METHODS_OF, type RouteSpec } from './route-specs';

const pascal = (text: string) => text.replace(/(^|[-_])(\w)/g, (_, __, c: string) => c.toUpperCase());

export function controllerFor(spec: RouteSpec): Type<unknown> {
  class GeneratedController {
    constructor(readonly crud: CrudService) {}
  }
  Inject(CrudService)(GeneratedController, undefined, 0);
  const proto = GeneratedController.prototype as unknown as Record<string, unknown>;
  for (const verb of METHODS_OF[spec.kind] as Verb[]) {
    const name = verb.toLowerCase();
    Object.defineProperty(proto, name, {
      value: function handle(this: GeneratedController, req: Request) {
        return this.crud.handle(spec, verb, req);
      },
      writable: true,
      configurable: true,
    });
    const descriptor = Object.getOwnPropertyDescriptor(proto, name)!;
    Req()(proto, name, 0);
    RequestMapping({ path: spec.path, method: RequestMethod[verb] })(proto, name, descriptor);
    HttpCode(verb === 'POST' ? 201 : verb === 'DELETE' ? 204 : 200)(proto, name, descriptor);
  }
  Controller()(GeneratedController);
  Object.defineProperty(GeneratedController, 'name', { value: `${pascal(spec.entity)}${pascal(spec.kind)}${pascal(spec.path.split('/')[3] ?? '')}Controller` });
  return GeneratedController;
}
