// `transparent` end to end: three network namespaces (client, gateway, server) joined by veth pairs on private test
// addresses that exist only inside them. The gateway runs Tollgate with a `transparent` stream listener and the
// TPROXY rules `tollgate firewall` prints (renderTproxy). A client connecting to addresses behind the gateway is
// proxied by Tollgate, which routes on the original destination (`destinations`). Needs root, `ip` and `iptables`;
// elsewhere the suite reports itself skipped with the reason.
import { join } from 'node:path';
import { renderTproxy } from '../../apps/cli/src/firewall';
import { buildTopology, lineOf, TS_REGISTER, whyNoNamespaces, type Topology } from '../support/netns';
import { entry, routeRow, serviceRow } from './support';

jest.setTimeout(60000);

const register = TS_REGISTER;
const gatewayScript = join(__dirname, 'tproxy/gateway.ts');
const reason = whyNoNamespaces();
if (reason) console.warn(`tproxy e2e skipped: ${reason}`);

// Conditional: runs wherever namespaces are permitted (CI runs as root), reports the reason elsewhere.
(reason ? describe.skip : describe)(`stream transparent listener behind TPROXY (namespaces)${reason ? ` — skipped: ${reason}` : ''}`, () => {
  let topology: Topology;
  let NS: Topology['ns'];

  beforeAll(() => {
    // Exactly what `tollgate firewall` prints for this listener, intercepting port 80.
    topology = buildTopology('tg', renderTproxy(entry('0.0.0.0:4242 transparent'), { ports: [80] }));
    NS = topology.ns;
  });

  afterAll(() => topology?.teardown());

  const run = (ns: string, args: string[], input?: string) => topology.node(ns, args, input);

  const serverProgram = `
    const net = require('net');
    for (const [port, tag] of [[80, 'server:'], [8080, 'other:']]) {
      net.createServer((s) => { s.write(tag); s.pipe(s); s.on('error', () => {}); }).listen(port, '10.200.2.2');
    }
    console.log('READY');`;
  const clientProgram = (ip: string, port: number) => `
    const s = require('net').connect({ host: '${ip}', port: ${port}, timeout: 5000 }, () => s.write('hello'));
    let got = '';
    s.on('data', (c) => { got += c; if (got.endsWith('hello')) s.end(); });
    s.on('timeout', () => { console.log('TIMEOUT'); process.exit(1); });
    s.on('close', () => console.log('REPLY ' + got));
    s.on('error', (e) => { console.log('ERROR ' + e.code); process.exit(1); });`;

  it('proxies connections addressed to the server through Tollgate, routed on the original destination', async () => {
    const server = run(NS.server, ['-e', serverProgram]);
    await lineOf(server, 'READY');

    const toServer = serviceRow({ name: 'server-80', host: '10.200.2.2', port: 80 });
    const toOther = serviceRow({ name: 'server-8080', host: '10.200.2.2', port: 8080 });
    const direct = routeRow({ name: 'to-10.200.2.2', protocols: ['tcp'], destinations: [{ ip: '10.200.2.2', port: 80 }] }, toServer);
    // 10.200.2.99 exists nowhere: only a transparent proxy can answer for it.
    const virtual = routeRow({ name: 'to-10.200.2.99', protocols: ['tcp'], destinations: [{ ip: '10.200.2.99', port: 80 }] }, toOther);
    const gwLines: string[] = [];
    const gateway = run(NS.gateway, ['-r', register, gatewayScript, JSON.stringify({
      listen: '0.0.0.0:4242 transparent',
      snapshot: { _format_version: '3.0', services: [toServer, toOther], routes: [direct, virtual] },
    })]);
    expect(await lineOf(gateway, 'READY', gwLines)).toBe('READY 0.0.0.0:4242');

    const one = run(NS.client, ['-e', clientProgram('10.200.2.2', 80)]);
    expect(await lineOf(one, 'REPLY')).toBe('REPLY server:hello');
    const two = run(NS.client, ['-e', clientProgram('10.200.2.99', 80)]);
    expect(await lineOf(two, 'REPLY')).toBe('REPLY other:hello');

    const deadline = Date.now() + 5000;
    while (gwLines.filter((l) => l.startsWith('LOG ')).length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    const logs = gwLines.filter((l) => l.startsWith('LOG ')).map((l) => JSON.parse(l.slice(4)));
    expect(logs.map((l) => [l.route.name, l.client_ip, l.session.server_port, l.session.status])).toEqual([
      ['to-10.200.2.2', '10.200.1.2', 80, 200],
      ['to-10.200.2.99', '10.200.1.2', 80, 200],
    ]);
    gateway.stdin!.end();
  });

  it('without CAP_NET_ADMIN the transparent listener fails to start, saying so', async () => {
    const child = topology.spawnIn(NS.gateway, ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups',
      process.execPath, '-r', register, gatewayScript, JSON.stringify({ listen: '0.0.0.0:4243 transparent', snapshot: { _format_version: '3.0' } })]);
    const line = await lineOf(child, 'FAILED');
    expect(line).toBe(`FAILED stream_listen: cannot listen on 0.0.0.0:4243 transparent: flag 'transparent' needs the CAP_NET_ADMIN capability (run as root, or grant it to node: setcap cap_net_admin+ep ${process.execPath})`);
  });
});
