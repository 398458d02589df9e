// udp-log through a real DB-less node configured by a declarative file: each request is one datagram holding
// Kong's serialized entry as JSON (with custom_fields_by_lua), received by a real UDP socket; Kong's schema.
import dgram from 'node:dgram';
import type { AddressInfo } from 'node:net';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { startLogNode, type LogNode } from './support/log-node';

describe('udp-log on a DB-less node', () => {
  let n: LogNode;
  let sock: dgram.Socket;
  const datagrams: string[] = [];

  beforeAll(async () => {
    sock = dgram.createSocket('udp4');
    sock.on('message', (m) => datagrams.push(m.toString()));
    await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', ok));
    const port = (sock.address() as AddressInfo).port;
    n = await startLogNode({
      declarative: (upstream) => [
        '_format_version: "3.0"',
        'services:',
        '- name: echo',
        `  url: http://127.0.0.1:${upstream}`,
        '  routes:',
        '  - name: shipped',
        '    paths: [/shipped]',
        '    plugins:',
        '    - name: udp-log',
        '      config:',
        '        host: 127.0.0.1',
        `        port: ${port}`,
        '        custom_fields_by_lua:',
        '          tenant: "return kong.request.get_header(\'x-tenant\') or \'none\'"',
        '          upstream_uri: "return nil"',
        '',
      ].join('\n'),
    });
  });
  afterAll(async () => {
    await n?.close();
    sock?.close();
  });

  it('sends one datagram of JSON per request, custom_fields_by_lua applied', async () => {
    expect((await http('GET', `${n.proxy}/shipped/a?x=1`, { headers: { 'x-tenant': 'acme' } })).status).toBe(200);
    await waitFor(async () => (datagrams.length >= 1 ? true : undefined), 'a datagram');
    expect((await http('POST', `${n.proxy}/shipped/b`, { body: { k: 'v' } })).status).toBe(200);
    await waitFor(async () => (datagrams.length >= 2 ? true : undefined), 'a second datagram');
    const [a, b] = datagrams.map((d) => JSON.parse(d));
    expect(datagrams[0].endsWith('}')).toBe(true); // no trailing newline: the datagram is the document
    expect(a).toMatchObject({ request: { method: 'GET', uri: '/shipped/a?x=1' }, response: { status: 200 }, route: { name: 'shipped' }, service: { name: 'echo' } });
    expect(b).toMatchObject({ request: { method: 'POST', uri: '/shipped/b' } });
    // custom_fields_by_lua, run by the Lua VM for each request: a value added, a field removed by returning nil
    expect([a.tenant, b.tenant]).toEqual(['acme', 'none']);
    expect('upstream_uri' in a).toBe(false);
  });

  it('GET /schemas/plugins/udp-log has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${n.admin}/schemas/plugins/udp-log`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual(['host', 'port', 'timeout', 'custom_fields_by_lua']);
    expect(config.fields[2].timeout).toMatchObject({ type: 'number', default: 10000 });
    expect(config.fields[0].host).toMatchObject({ required: true });
  });

  it('validates a config without storing it (POST /schemas/plugins/validate)', async () => {
    const bad = await http('POST', `${n.admin}/schemas/plugins/validate`, { body: { name: 'udp-log', config: { host: 'not a host!', port: 9 } } });
    expect(bad.status).toBe(400);
    expect(Object.keys(bad.json.fields.config)).toEqual(['host']);
    const good = await http('POST', `${n.admin}/schemas/plugins/validate`, { body: { name: 'udp-log', config: { host: 'logs.internal', port: 9 } } });
    expect(good.status).toBe(200);
  });
});
