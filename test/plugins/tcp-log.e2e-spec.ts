// tcp-log through a real node: newline-terminated JSON entries of Kong's serializer reach a real TCP and a real TLS
// receiver, over a kept-alive connection, with values set by kong.log.set_serialize_value; Kong's schema.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import tls from 'node:tls';
import { join } from 'node:path';
import { tempPrefix } from '../support/cli-node';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { startLogNode, type LogNode } from './support/log-node';

interface Receiver { port: number; lines: string[]; connections: number; snis: Array<string | false | null>; close(): Promise<void> }

async function receiver(secure?: { key: Buffer; cert: Buffer }): Promise<Receiver> {
  const r: Receiver = { port: 0, lines: [], connections: 0, snis: [], close: async () => undefined };
  const sockets = new Set<net.Socket>();
  const onSocket = (sock: net.Socket) => {
    r.connections++;
    sockets.add(sock);
    sock.on('close', () => sockets.delete(sock));
    let buf = '';
    sock.on('data', (d: Buffer) => {
      buf += d.toString();
      let nl;
      while ((nl = buf.indexOf('\n')) >= 0) {
        r.lines.push(buf.slice(0, nl));
        buf = buf.slice(nl + 1);
      }
    });
  };
  const server = secure
    ? tls.createServer(secure, (s) => { r.snis.push(s.servername); onSocket(s); })
    : net.createServer(onSocket);
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  r.port = (server.address() as AddressInfo).port;
  r.close = () => new Promise<void>((ok) => { for (const s of sockets) s.destroy(); server.close(() => ok()); });
  return r;
}

describe('tcp-log on a running node', () => {
  let n: LogNode;
  let plain: Receiver;
  let secure: Receiver;

  beforeAll(async () => {
    const dir = tempPrefix();
    execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-subj', '/CN=logs.test', '-days', '1',
      '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem')], { stdio: 'ignore' });
    [plain, secure] = await Promise.all([receiver(), receiver({ key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) })]);
    n = await startLogNode();
    await n.route('plain', [
      { name: 'pre-function', config: { access: ['kong.log.set_serialize_value("request.tenant", kong.request.get_header("x-tenant"))'] } },
      { name: 'tcp-log', config: { host: '127.0.0.1', port: plain.port } },
    ]);
    await n.route('secure', [{ name: 'tcp-log', config: {
      host: '127.0.0.1', port: secure.port, tls: true, tls_sni: 'logs.test',
      custom_fields_by_lua: { 'request.via': 'return "tcp-" .. kong.request.get_method()', 'request.headers': 'return nil' },
    } }]);
  });
  afterAll(async () => {
    await n?.close();
    await Promise.all([plain?.close(), secure?.close()]);
  });

  it('sends one newline-terminated JSON entry per request, with set_serialize_value fields, over one kept-alive connection', async () => {
    for (let i = 0; i < 3; i++) expect((await http('GET', `${n.proxy}/plain/x?i=${i}`, { headers: { 'x-tenant': 'acme' } })).status).toBe(200);
    const lines = await waitFor(async () => (plain.lines.length >= 3 ? plain.lines : undefined), 'three entries');
    const entries = lines.map((l) => JSON.parse(l));
    expect(entries.map((e) => e.request.uri)).toEqual(['/plain/x?i=0', '/plain/x?i=1', '/plain/x?i=2']);
    expect(entries[0]).toMatchObject({
      request: { method: 'GET', tenant: 'acme', querystring: { i: '0' } },
      response: { status: 200 },
      route: { name: 'plain' },
      service: { name: 'echo' },
      client_ip: '127.0.0.1',
    });
    expect(typeof entries[0].started_at).toBe('number');
    expect(plain.connections).toBe(1);
  });

  it('sends over TLS with the configured SNI; custom_fields_by_lua sets and removes fields', async () => {
    expect((await http('GET', `${n.proxy}/secure/y`)).status).toBe(200);
    const line = await waitFor(async () => secure.lines[0], 'an entry over TLS');
    const entry = JSON.parse(line);
    expect(entry).toMatchObject({ request: { uri: '/secure/y', via: 'tcp-GET' }, route: { name: 'secure' } });
    expect(entry.request.headers).toBeUndefined();
    expect(secure.snis).toEqual(['logs.test']);
  });

  it('GET /schemas/plugins/tcp-log has Kong\'s fields and defaults', async () => {
    const r = await http('GET', `${n.admin}/schemas/plugins/tcp-log`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    const field = (name: string) => config.fields.find((f: Record<string, unknown>) => name in f)[name];
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual(['host', 'port', 'timeout', 'keepalive', 'tls', 'tls_sni', 'custom_fields_by_lua']);
    expect(field('host')).toMatchObject({ type: 'string', required: true });
    expect(field('port')).toMatchObject({ type: 'integer', required: true, between: [0, 65535] });
    expect(field('timeout')).toMatchObject({ type: 'number', default: 10000 });
    expect(field('keepalive')).toMatchObject({ type: 'number', default: 60000 });
    expect(field('tls')).toMatchObject({ type: 'boolean', default: false });
  });

  it('refuses a config without host and port, and a port out of range, with Kong\'s messages', async () => {
    const missing = await http('POST', `${n.admin}/plugins`, { body: { name: 'tcp-log', config: {} } });
    expect(missing.status).toBe(400);
    expect(missing.json.fields).toEqual({ config: { host: 'required field missing', port: 'required field missing' } });
    const range = await http('POST', `${n.admin}/plugins`, { body: { name: 'tcp-log', config: { host: '127.0.0.1', port: 70000 } } });
    expect(range.status).toBe(400);
    expect(range.json.fields).toEqual({ config: { port: 'value should be between 0 and 65535' } });
  });

  it('stored config gets Kong\'s defaults', async () => {
    const r = await http('POST', `${n.admin}/plugins`, { body: { name: 'tcp-log', config: { host: 'logs.internal', port: 5000 } } });
    expect(r.status).toBe(201);
    expect(r.json.config).toEqual({ host: 'logs.internal', port: 5000, timeout: 10000, keepalive: 60000, tls: false, tls_sni: null, custom_fields_by_lua: null });
    expect(r.json.protocols).toEqual(['grpc', 'grpcs', 'http', 'https']);
    expect((await http('DELETE', `${n.admin}/plugins/${r.json.id}`)).status).toBe(204);
  });
});
