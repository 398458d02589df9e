// StatsD receivers for the statsd and datadog suites: a UDP socket (every datagram kept, lines split on '\n') and
// a TCP server (newline-terminated lines), and a decoder of the line format with each tag style's placement.
import dgram from 'node:dgram';
import net from 'node:net';
import type { AddressInfo } from 'node:net';

export interface StatsdMetric {
  readonly name: string;
  readonly value: string;
  readonly type: string;
  readonly rate: number | null;
  readonly tags: Record<string, string>;
  /** Where the tags were: none, dogstatsd (|#k:v), influxdb (,k=v), librato (#k=v), signalfx ([k=v]). */
  readonly style: 'none' | 'dogstatsd' | 'influxdb' | 'librato' | 'signalfx';
}

const pairs = (text: string, sep: string) =>
  Object.fromEntries(text.split(',').map((t) => {
    const i = t.indexOf(sep);
    return i < 0 ? [t, ''] : [t.slice(0, i), t.slice(i + 1)];
  }));

/** Decodes one StatsD line; throws on anything that is not one. */
export function decodeStatsd(line: string): StatsdMetric {
  const m = /^([^:]+):([^|]+)\|([a-z]+)(?:\|@([0-9.]+))?(?:\|#(.*))?$/.exec(line);
  if (!m) throw new Error(`not a StatsD line: ${JSON.stringify(line)}`);
  const [, key, value, type, rate, dogTags] = m;
  const base = { value, type, rate: rate === undefined ? null : Number(rate) };
  if (dogTags !== undefined) return { ...base, name: key, tags: pairs(dogTags, ':'), style: 'dogstatsd' };
  let t = /^([^,#[]+),(.+)$/.exec(key);
  if (t) return { ...base, name: t[1], tags: pairs(t[2], '='), style: 'influxdb' };
  t = /^([^,#[]+)#(.+)$/.exec(key);
  if (t) return { ...base, name: t[1], tags: pairs(t[2], '='), style: 'librato' };
  t = /^([^,#[]+)\[(.+)\]$/.exec(key);
  if (t) return { ...base, name: t[1], tags: pairs(t[2], '='), style: 'signalfx' };
  return { ...base, name: key, tags: {}, style: 'none' };
}

export interface UdpReceiver { readonly port: number; readonly datagrams: string[]; lines(): string[]; close(): void }

export async function startUdpReceiver(): Promise<UdpReceiver> {
  const sock = dgram.createSocket('udp4');
  const datagrams: string[] = [];
  sock.on('message', (m) => datagrams.push(m.toString()));
  await new Promise<void>((ok) => sock.bind(0, '127.0.0.1', ok));
  return {
    port: (sock.address() as AddressInfo).port,
    datagrams,
    lines: () => datagrams.flatMap((d) => d.split('\n')),
    close: () => sock.close(),
  };
}

export interface TcpReceiver { readonly port: number; readonly connections: number; lines(): string[]; close(): Promise<void> }

export async function startTcpReceiver(): Promise<TcpReceiver> {
  let text = '';
  let connections = 0;
  const server = net.createServer((sock) => {
    connections++;
    sock.on('error', () => undefined); // the gateway's log sender may reset on stop
    sock.on('data', (d: Buffer) => { text += d.toString(); });
  });
  await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
  return {
    port: (server.address() as AddressInfo).port,
    get connections() { return connections; },
    // only complete (newline-terminated) lines
    lines: () => text.split('\n').slice(0, -1),
    close: () => new Promise<void>((ok) => server.close(() => ok())),
  };
}
