// GET /schemas/plugins/{name} for every Kong OSS 3.10 bundled plugin on a real node, against the field lists read
// from Kong's own schema.lua files (test/support/kong-plugin-schemas.ts): what Kong Manager and decK-style tools
// render forms and diffs from.
import { loopbackConf, startNode, stopNode, tempPrefix, writeConf, type RunningNode } from '../support/cli-node';
import { http } from '../support/http';
import { KONG_BUNDLED_NAMES } from '../support/kong-bundled-plugins';
import { KONG_PLUGIN_SCHEMA_FIELDS } from '../support/kong-plugin-schemas';

type Field = Record<string, Record<string, unknown>>;
const nameOf = (f: Field) => Object.keys(f)[0];

/** Config field paths, records flattened with dots, as the fixture lists them. */
function configPaths(fields: Field[], prefix = ''): string[] {
  return fields.flatMap((f) => {
    const name = nameOf(f);
    const def = f[name];
    const nested = def.type === 'record' && Array.isArray(def.fields) ? configPaths(def.fields as Field[], `${prefix}${name}.`) : [];
    return [`${prefix}${name}`, ...nested];
  });
}

describe('GET /schemas/plugins/{name} for every bundled plugin', () => {
  let node: RunningNode;
  let admin: string;

  beforeAll(async () => {
    const prefix = tempPrefix();
    node = await startNode(['-c', writeConf(prefix, loopbackConf(prefix)), '-p', prefix]);
    admin = `http://127.0.0.1:${node.port('admin_listen')}`;
  });
  afterAll(async () => { if (node) await stopNode(node); });

  it('the fixture covers exactly the bundled plugins', () => {
    expect(Object.keys(KONG_PLUGIN_SCHEMA_FIELDS).sort()).toEqual([...KONG_BUNDLED_NAMES]);
  });

  it.each(Object.keys(KONG_PLUGIN_SCHEMA_FIELDS).sort())('%s: Kong\'s top-level fields and config fields, in order', async (name) => {
    const r = await http('GET', `${admin}/schemas/plugins/${name}`);
    expect(r.status).toBe(200);
    const fields = r.json.fields as Field[];
    const want = KONG_PLUGIN_SCHEMA_FIELDS[name];
    expect(fields.map(nameOf).sort()).toEqual([...want.top].sort());
    for (const scope of ['consumer', 'service', 'route']) {
      const f = fields.find((x) => nameOf(x) === scope);
      if (f) expect(f[scope]).toMatchObject({ type: 'foreign', eq: null });
    }
    const config = fields.find((x) => nameOf(x) === 'config')!.config;
    expect(config.type).toBe('record');
    expect(configPaths(config.fields as Field[])).toEqual(want.config);
    expect(Array.isArray(r.json.entity_checks)).toBe(true);
  });

  it("entity_checks carry Kong's declarative checks (acl, rate-limiting, pre-function)", async () => {
    const checks = async (name: string) => (await http('GET', `${admin}/schemas/plugins/${name}`)).json.entity_checks;
    expect(await checks('acl')).toEqual([{ only_one_of: ['config.allow', 'config.deny'] }, { at_least_one_of: ['config.allow', 'config.deny'] }]);
    expect(await checks('jwt')).toEqual([{ conditional: {
      if_field: 'config.maximum_expiration', if_match: { gt: 0 }, then_field: 'config.claims_to_verify', then_match: { contains: 'exp' },
    } }]);
    const redisRequired = (field: string) => ({ conditional: { if_field: 'config.policy', if_match: { eq: 'redis' }, then_field: `config.redis.${field}`, then_match: { required: true } } });
    const byLimit = (value: string, field: string) => ({ conditional: { if_field: 'config.limit_by', if_match: { eq: value }, then_field: `config.${field}`, then_match: { required: true } } });
    expect(await checks('rate-limiting')).toEqual([
      { at_least_one_of: ['config.second', 'config.minute', 'config.hour', 'config.day', 'config.month', 'config.year'] },
      redisRequired('host'), redisRequired('port'), redisRequired('timeout'), byLimit('header', 'header_name'), byLimit('path', 'path'),
    ]);
    expect(await checks('pre-function')).toEqual([{ at_least_one_of: ['config.certificate', 'config.rewrite', 'config.access', 'config.header_filter', 'config.body_filter', 'config.log'] }]);
    // opentelemetry's check belongs to its config record, as in Kong's schema.lua
    const otel = (await http('GET', `${admin}/schemas/plugins/opentelemetry`)).json;
    expect(otel.entity_checks).toEqual([]);
    expect(otel.fields.find((f: Field) => nameOf(f) === 'config').config.entity_checks).toEqual([{ at_least_one_of: ['traces_endpoint', 'logs_endpoint'] }]);
  });

  it("rate-limiting with policy redis and an explicit null redis.port fails Kong's conditional", async () => {
    const r = await http('POST', `${admin}/schemas/plugins/validate`, { body: { name: 'rate-limiting', config: { minute: 1, policy: 'redis', redis: { host: 'r', port: null } } } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual({ config: { redis: { port: 'required field missing' } }, '@entity': ["failed conditional validation given value of field 'config.policy'"] });
  });

  it("protocols: typedefs.protocols_http for HTTP-only plugins (key-auth), typedefs.protocols for the others (tcp-log)", async () => {
    const protocols = async (name: string) => (await http('GET', `${admin}/schemas/plugins/${name}`)).json.fields.find((f: Field) => nameOf(f) === 'protocols').protocols;
    expect(await protocols('key-auth')).toMatchObject({
      type: 'set', required: true, default: ['grpc', 'grpcs', 'http', 'https'],
      elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https'] }, description: 'A set of strings representing HTTP protocols.',
    });
    expect(await protocols('tcp-log')).toMatchObject({
      elements: { type: 'string', one_of: ['grpc', 'grpcs', 'http', 'https', 'tcp', 'tls', 'tls_passthrough', 'udp'] },
      description: 'A set of strings representing protocols.',
    });
  });

  it('POST /plugins: an HTTP-only plugin refuses a stream protocol by position; a log plugin takes it', async () => {
    const bad = await http('POST', `${admin}/plugins`, { body: { name: 'key-auth', protocols: ['http', 'tcp'] } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({ protocols: [null, 'expected one of: grpc, grpcs, http, https'] });
    const ok = await http('POST', `${admin}/plugins`, { body: { name: 'tcp-log', protocols: ['tcp'], config: { host: '127.0.0.1', port: 9 } } });
    expect(ok.status).toBe(201);
    expect((await http('DELETE', `${admin}/plugins/${ok.json.id}`)).status).toBe(204);
  });

  it('a plugin Kong does not scope to consumers is refused with one (no_consumer), as its schema says', async () => {
    const consumer = await http('POST', `${admin}/consumers`, { body: { username: 'schemas-suite' } });
    expect(consumer.status).toBe(201);
    const r = await http('POST', `${admin}/plugins`, { body: { name: 'key-auth', consumer: { id: consumer.json.id } } });
    expect(r.status).toBe(400);
    expect(r.json.fields).toEqual({ consumer: 'value must be null' });
  });
});
