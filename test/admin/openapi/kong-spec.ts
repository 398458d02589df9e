// Kong's published Admin API OpenAPI documents as response validators. Kong's documents have known quirks
// (see ../shared/reference/openapi/ORIGIN.md); each compensation below is recorded in `notes` so a test
// can print what was bent and why.
import { readFileSync } from 'node:fs';
import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';

type Json = Record<string, unknown>;

export interface SpecOptions {
  /** OSS 3.9 never says `nullable` although Kong returns null for every unset field. */
  readonly lenientNulls: boolean;
}

export interface ResponseCheck {
  readonly template: string;
  readonly status: string;
  readonly errors: string[];
}

export class KongSpec {
  readonly notes = new Set<string>();
  private readonly doc: Json & { paths: Record<string, Json>; components: Json };
  private readonly ajv: Ajv;
  private readonly validators = new Map<string, ValidateFunction>();

  constructor(file: string, private readonly options: SpecOptions) {
    this.doc = parse(readFileSync(file, 'utf8'));
    this.fixPathKeys();
    const schemas = (this.doc.components.schemas ?? {}) as Record<string, Json>;
    if (schemas.PaginationNextResponse && !schemas.PaginationNextResponse.nullable) {
      schemas.PaginationNextResponse = { ...schemas.PaginationNextResponse, nullable: true };
      this.notes.add('PaginationNextResponse made nullable: Kong sends "next": null on the last page');
    }
    this.ajv = new Ajv({ strict: false, allErrors: true });
    addFormats(this.ajv);
    const definitions: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(schemas)) definitions[name] = this.convert(schema, false);
    this.ajv.addSchema({ $id: 'kong', definitions });
  }

  /** Validates a response body of `method concretePath` with `status`, or returns null when Kong documents none. */
  check(method: string, concretePath: string, status: number, body: unknown): ResponseCheck | null {
    const template = this.templateFor(concretePath);
    if (!template) return null;
    const operation = this.doc.paths[template][method.toLowerCase()] as Json | undefined;
    if (!operation) return null;
    const responses = operation.responses as Record<string, Json>;
    let key = String(status);
    if (!responses[key]) {
      key = Object.keys(responses).find((k) => k.startsWith('2')) ?? '';
      if (!key) return null;
      this.notes.add(`${method} ${template}: documented ${key} where Kong answers ${status}; validated against ${key}`);
    }
    const { schema, refName } = this.responseSchema(responses[key]);
    if (!schema) return null;
    const errors: string[] = [];
    const isList = method.toLowerCase() === 'get' && !template.endsWith('}') && typeof body === 'object' && body !== null && 'data' in body;
    if (isList && !(this.deref(schema).properties as Json | undefined)?.data) {
      // OSS documents some lists as a single entity: check the envelope here and each item against the entity.
      this.notes.add(`${method} ${template}: documented as one entity, validated as a list envelope of it`);
      const envelope = body as { data: unknown; next: unknown; offset?: unknown };
      if (!Array.isArray(envelope.data)) errors.push('data is not an array');
      if (!(envelope.next === null || typeof envelope.next === 'string')) errors.push('next is neither null nor a string');
      if (envelope.offset !== undefined && typeof envelope.offset !== 'string') errors.push('offset is not a string');
      const item = refName === 'plugin-response' ? this.namedSchema('Plugin') : schema;
      if (refName === 'plugin-response') this.notes.add(`${template}: plugin-response types foreign keys as strings; items validated against Plugin`);
      for (const [i, entry] of (Array.isArray(envelope.data) ? envelope.data : []).entries()) {
        errors.push(...this.validate(item, entry).map((e) => `data[${i}]${e}`));
      }
    } else {
      errors.push(...this.validate(schema, body));
    }
    return { template, status: key, errors };
  }

  private validate(schema: Json, value: unknown): string[] {
    const key = JSON.stringify(schema);
    let validator = this.validators.get(key);
    if (!validator) {
      validator = this.ajv.compile(this.convert(schema, false) as Json);
      this.validators.set(key, validator);
    }
    if (validator(value)) return [];
    return (validator.errors ?? []).map((e) => `${e.instancePath} ${e.message} ${JSON.stringify(e.params)}`);
  }

  private responseSchema(response: Json): { schema: Json | null; refName?: string } {
    let refName: string | undefined;
    if (typeof response.$ref === 'string') {
      refName = response.$ref.split('/').pop()!;
      response = (this.doc.components.responses as Record<string, Json>)[refName];
    }
    const content = response.content as Record<string, { schema?: Json }> | undefined;
    let schema = content?.['application/json']?.schema ?? null;
    if (schema && typeof schema.$ref === 'string') schema = this.namedSchema(schema.$ref.split('/').pop()!);
    return { schema, refName };
  }

  private deref(schema: Json): Json {
    const ref = typeof schema.$ref === 'string' ? schema.$ref.split('/').pop()! : undefined;
    return ref ? ((this.doc.components.schemas as Record<string, Json>)[ref] ?? schema) : schema;
  }

  private namedSchema(name: string): Json {
    return { $ref: `#/components/schemas/${name}` };
  }

  /** The most specific template matching a concrete path (fewest placeholders). */
  private templateFor(concretePath: string): string | undefined {
    const path = concretePath.split('?')[0];
    const matches = Object.keys(this.doc.paths).filter((template) =>
      new RegExp(`^${template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path),
    );
    return matches.sort((a, b) => (a.match(/\{/g)?.length ?? 0) - (b.match(/\{/g)?.length ?? 0))[0];
  }

  private fixPathKeys(): void {
    for (const key of Object.keys(this.doc.paths)) {
      const fixed = key.replace(/\}([a-z])/g, '}/$1');
      if (fixed === key) continue;
      this.doc.paths[fixed] = this.doc.paths[key];
      delete this.doc.paths[key];
      this.notes.add(`path key '${key}' read as '${fixed}'`);
    }
  }

  /** OpenAPI 3.0 schema -> JSON Schema draft-07 for ajv. */
  private convert(node: unknown, isProperty: boolean): unknown {
    if (Array.isArray(node)) return node.map((n) => this.convert(n, false));
    if (node === null || typeof node !== 'object') return node;
    const src = node as Json;
    const out: Json = {};
    for (const [key, value] of Object.entries(src)) {
      if (key === 'properties' && value && typeof value === 'object') {
        out.properties = Object.fromEntries(Object.entries(value as Json).map(([k, v]) => [k, this.convert(v, true)]));
      } else if (key === '$ref' && typeof value === 'string') {
        out.$ref = value.replace('#/components/schemas/', 'kong#/definitions/');
      } else if (key !== 'nullable' && key !== 'example' && key !== 'examples' && key !== 'xml') {
        out[key] = this.convert(value, false);
      }
    }
    if (src.exclusiveMinimum === true) {
      out.exclusiveMinimum = src.minimum;
      delete out.minimum;
    }
    if (src.exclusiveMaximum === true) {
      out.exclusiveMaximum = src.maximum;
      delete out.maximum;
    }
    const nullable = src.nullable === true || (this.options.lenientNulls && isProperty);
    if (nullable) {
      if (this.options.lenientNulls && isProperty && src.nullable !== true) this.notes.add('OSS spec has no nullable: null accepted for every property');
      if (typeof out.type === 'string') out.type = [out.type, 'null'];
      else if (Array.isArray(out.type) && !out.type.includes('null')) out.type = [...out.type, 'null'];
      else if (out.$ref) return { anyOf: [{ $ref: out.$ref }, { type: 'null' }] };
      if (Array.isArray(out.enum) && !out.enum.includes(null)) out.enum = [...out.enum, null];
    }
    return out;
  }
}
