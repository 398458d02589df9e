// loggly through a real node: Loggly's syslog intake format (RFC 5424 over UDP, token and tags as structured data,
// Kong's serialized entry as the message) received by a real UDP socket on the plugin's host/port fields; the
// severity of each status class and the log_level filter.
import dgram from 'node:dgram';
import { hostname } from 'node:os';
import type { AddressInfo } from 'node:net';
import { http } from '../support/http';
import { waitFor } from '../support/wait';
import { startLogNode, type LogNode } from './support/log-node';

// <PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [SD] MSG
const LINE = /^<(\d+)>1 (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ) (\S+) (\S+) - - \[([^@\]]+)@41058 ((?:tag="[^"]*" ?)*)\] (\{.*\})$/s;

describe('loggly on a running node', () => {
  let n: LogNode;
  let sock: dgram.Socket;
  const datagrams: string[] = [];
  const parsed = () => datagrams.map((d) => {
    const m = LINE.exec(d);
    if (!m) throw new Error(`not Loggly's syslog format: ${d}`);
    return { pri: Number(m[1]), stamp: m[2], host: m[3], app: m[4], key: m[5], tags: m[6].trim(), entry: JSON.parse(m[7]) };
  });

  beforeAll(async () => {
    sock = dgram.createSocket('udp4');
    sock.on('message', (m) => datagrams.push(m.toString()));
    await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', ok));
    const port = (sock.address() as AddressInfo).port;
    const loggly = { name: 'loggly', config: { host: '127.0.0.1', port, key: 'tok-123', tags: ['kong', 'edge'], log_level: 'warning', client_errors_severity: 'warning', server_errors_severity: 'crit' } };
    n = await startLogNode();
    await n.route('ok', [loggly]);
    await n.route('gone', [{ name: 'request-termination', config: { status_code: 404, message: 'gone' } }, loggly]);
    await n.route('broken', [{ name: 'request-termination', config: { status_code: 503 } }, loggly]);
  });
  afterAll(async () => {
    await n?.close();
    sock?.close();
  });

  it('sends 4xx and 5xx with their severities in RFC 5424 with the token and tags; successes below log_level are not sent', async () => {
    expect((await http('GET', `${n.proxy}/ok`)).status).toBe(200);
    expect((await http('GET', `${n.proxy}/gone`)).status).toBe(404);
    await waitFor(async () => (datagrams.length >= 1 ? true : undefined), 'the 404 entry');
    expect((await http('GET', `${n.proxy}/broken`)).status).toBe(503);
    await waitFor(async () => (datagrams.length >= 2 ? true : undefined), 'the 503 entry');
    const [gone, broken] = parsed();
    expect(gone).toMatchObject({ pri: 12, host: hostname(), app: 'kong', key: 'tok-123', tags: 'tag="kong" tag="edge"' });
    expect(Math.abs(Date.parse(gone.stamp) - Date.now())).toBeLessThan(60_000);
    expect(gone.entry).toMatchObject({ request: { uri: '/gone' }, response: { status: 404 }, route: { name: 'gone' } });
    expect(broken.pri).toBe(10);
    expect(broken.entry).toMatchObject({ response: { status: 503 }, route: { name: 'broken' } });
    // the 200 came first; had it been sent it would be the first datagram
    expect(datagrams).toHaveLength(2);
  });

  it('stored config gets Kong\'s defaults; key is required; severities are checked', async () => {
    const r = await http('POST', `${n.admin}/plugins`, { body: { name: 'loggly', config: { key: 'k' } } });
    expect(r.status).toBe(201);
    expect(r.json.config).toEqual({
      host: 'logs-01.loggly.com', port: 514, key: 'k', tags: ['kong'], log_level: 'info', successful_severity: 'info',
      client_errors_severity: 'info', server_errors_severity: 'info', timeout: 10000, custom_fields_by_lua: null,
    });
    expect((await http('DELETE', `${n.admin}/plugins/${r.json.id}`)).status).toBe(204);
    const missing = await http('POST', `${n.admin}/plugins`, { body: { name: 'loggly', config: {} } });
    expect(missing.status).toBe(400);
    expect(missing.json.fields).toEqual({ config: { key: 'required field missing' } });
    const bad = await http('POST', `${n.admin}/plugins`, { body: { name: 'loggly', config: { key: 'k', log_level: 'loud' } } });
    expect(bad.status).toBe(400);
    expect(bad.json.fields).toEqual({ config: { log_level: 'expected one of: debug, info, notice, warning, err, crit, alert, emerg' } });
  });

  it('GET /schemas/plugins/loggly lists Kong\'s fields', async () => {
    const r = await http('GET', `${n.admin}/schemas/plugins/loggly`);
    expect(r.status).toBe(200);
    const config = r.json.fields.find((f: Record<string, unknown>) => 'config' in f).config;
    expect(config.fields.map((f: Record<string, unknown>) => Object.keys(f)[0])).toEqual([
      'host', 'port', 'key', 'tags', 'log_level', 'successful_severity', 'client_errors_severity', 'server_errors_severity', 'timeout', 'custom_fields_by_lua',
    ]);
  });
});
