// Loads a .proto file named in a grpc-web / grpc-gateway config, once per configuration (the plugins' prepare),
// with protobufjs. Imports are looked up as Kong's protoc does: the file's own folder first, then the system
// include folders; google/protobuf/* fall back to the well-known types protobufjs carries, and google/api/*
// (the HTTP annotations) need no file at all, since the options are read as parsed text.
import { existsSync, readFileSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import type * as protobuf from 'protobufjs';
import { protobufjs } from '../lazy-deps';

/** Kong's include path order (after the proto file's own folder). */
const SYSTEM_INCLUDES = ['/usr/local/kong/include', '/usr/local/opt/protobuf/include', '/usr/include', 'kong/include'];

export interface ProtoMethod {
  /** `/package.Service/Method`, the gRPC path. */
  readonly path: string;
  readonly input: protobuf.Type;
  readonly output: protobuf.Type;
  /** The method's `(google.api.http)` option as parsed, or undefined. */
  readonly http: Record<string, unknown> | undefined;
}

export interface ProtoFile {
  /** The configured file's methods in file order (services, then methods). */
  readonly methods: readonly ProtoMethod[];
  readonly byPath: ReadonlyMap<string, ProtoMethod>;
}

/** Relative names resolve against the working directory the node was started in, as Kong's. */
export function loadProtoFile(file: string): ProtoFile {
  const main = isAbsolute(file) ? file : resolve(file);
  const root = new (protobufjs().Root)();
  const loaded = new Set<string>();
  const methods: ProtoMethod[] = [];
  const includes = [dirname(main), ...SYSTEM_INCLUDES];
  // package of each loaded file and its services, to list methods once every type resolved
  const services: Array<{ pkg: string | undefined; names: string[] }> = [];

  /** `own`: the configured file, whose services are the plugin's (imports only lend types). */
  const parseFile = (source: string, own: boolean): void => {
    const parsed = protobufjs().parse(source, root, { keepCase: true });
    for (const imp of parsed.imports ?? []) load(imp, false);
    for (const imp of parsed.weakImports ?? []) load(imp, true);
    if (own) services.push({ pkg: parsed.package, names: serviceNames(source) });
  };

  const load = (name: string, weak: boolean): void => {
    if (loaded.has(name)) return;
    loaded.add(name);
    for (const dir of includes) {
      const candidate = isAbsolute(name) ? name : join(dir, name);
      if (existsSync(candidate)) return parseFile(readFileSync(candidate, 'utf8'), false);
    }
    if (name.startsWith('google/protobuf/')) {
      const common = (protobufjs() as unknown as { common: { get(n: string): protobuf.INamespace | null } }).common.get(name);
      if (common) {
        root.addJSON(common.nested!);
        return;
      }
    }
    // google/api/annotations.proto and friends only declare the option extensions; weak imports may be absent
    if (name.startsWith('google/api/') || weak) return;
    throw new Error(`failed to load ${name}: not found in ${includes.join(', ')}`);
  };

  loaded.add(main);
  parseFile(readFileSync(main, 'utf8'), true);
  root.resolveAll();

  for (const { pkg, names } of services) {
    for (const name of names) {
      const full = pkg ? `${pkg}.${name}` : name;
      const service = root.lookupService(full);
      for (const m of service.methodsArray) {
        m.resolve();
        methods.push({
          path: `/${full}/${m.name}`,
          input: m.resolvedRequestType!,
          output: m.resolvedResponseType!,
          http: httpOption(m),
        });
      }
    }
  }
  return { methods, byPath: new Map(methods.map((m) => [m.path, m])) };
}

/** Services declared at the top of one file (protobufjs merges every file into one root). */
function serviceNames(source: string): string[] {
  const names: string[] = [];
  const re = /(?:^|[\s;}])service\s+([A-Za-z_][A-Za-z0-9_]*)\s*\{/g;
  const code = source.replace(/\/\/[^\n]*|\/\*[\s\S]*?\*\//g, '');
  for (let m = re.exec(code); m !== null; m = re.exec(code)) names.push(m[1]);
  return names;
}

function httpOption(m: protobuf.Method): Record<string, unknown> | undefined {
  for (const o of m.parsedOptions ?? []) {
    const v = (o as Record<string, unknown>)['(google.api.http)'];
    if (v !== undefined && typeof v === 'object' && v !== null) return v as Record<string, unknown>;
  }
  return undefined;
}
