// The StatsD wire format shared by the statsd and datadog plugins: one `prefix.stat:value|type[|@rate][tags]` line
// per metric (tags placed as each style wants), sent over UDP (one datagram per line, or lines packed into
// datagrams of at most `udpPacketSize` bytes) or over TCP (newline-terminated lines on one connection).
import net from 'node:net';
import type { PluginLogger } from '../types';
import { sendDatagram } from './udp-sender';

/** Kong's stat_type -> StatsD type letter. */
export const STAT_TYPES: Readonly<Record<string, string>> = {
  gauge: 'g', counter: 'c', timer: 'ms', histogram: 'h', meter: 'm', set: 's', distribution: 'd',
};

export type TagStyle = 'dogstatsd' | 'influxdb' | 'librato' | 'signalfx';

/** `name:value` (dogstatsd) or `name=value` (the other styles). */
export function tagPairs(tags: ReadonlyArray<readonly [string, string | number]>, style: TagStyle): string[] {
  const sep = style === 'dogstatsd' ? ':' : '=';
  return tags.map(([k, v]) => `${k}${sep}${v}`);
}

/**
 * One metric line. Kong appends the sample rate but sends every event (the server scales by it); `tags` are
 * already formatted for `style` (dogstatsd `|#a:b`, influxdb `,a=b`, librato `#a=b`, signalfx `[a=b]`).
 */
export function statsdLine(prefix: string, stat: string, value: string | number, type: string, sampleRate: number | null | undefined, tags?: readonly string[] | null, style?: TagStyle | null): string {
  const rate = sampleRate !== null && sampleRate !== undefined && sampleRate !== 1 ? `|@${sampleRate}` : '';
  const name = `${prefix}.${stat}`;
  if (!tags || !style) return `${name}:${value}|${type}${rate}`;
  const list = tags.join(',');
  switch (style) {
    case 'dogstatsd': return `${name}:${value}|${type}${rate}${tags.length ? `|#${list}` : ''}`;
    case 'influxdb': return `${name},${list}:${value}|${type}${rate}`;
    case 'librato': return `${name}#${list}:${value}|${type}${rate}`;
    case 'signalfx': return `${name}[${list}]:${value}|${type}${rate}`;
  }
}

export interface StatsdTarget {
  readonly plugin: string;
  readonly host: string;
  readonly port: number;
  readonly tcp: boolean;
  /** UDP only: 0 sends one datagram per line; otherwise lines joined by '\n' up to this many bytes. */
  readonly udpPacketSize: number;
}

/** Sends one batch of lines. Rejects when a TCP connection cannot be made, so the queue retries the batch. */
export function sendStatsdLines(target: StatsdTarget, lines: readonly string[], log: PluginLogger): Promise<void> {
  if (lines.length === 0) return Promise.resolve();
  if (target.tcp) return sendTcp(target, lines);
  for (const datagram of packDatagrams(lines, target.udpPacketSize)) sendDatagram(target.plugin, target.host, target.port, datagram, log);
  return Promise.resolve();
}

/** Kong's udp_packet_size packing: a line that does not fit starts the next datagram (an oversized line goes alone). */
export function packDatagrams(lines: readonly string[], packetSize: number): string[] {
  if (packetSize <= 0) return [...lines];
  const out: string[] = [];
  let current = '';
  for (const line of lines) {
    if (current === '') current = line;
    else if (current.length + 1 + line.length <= packetSize) current += '\n' + line;
    else {
      out.push(current);
      current = line;
    }
  }
  if (current !== '') out.push(current);
  return out;
}

function sendTcp(target: StatsdTarget, lines: readonly string[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const sock = net.connect({ host: target.host, port: target.port });
    // Kong's statsd logger: 1 s to connect and send
    sock.setTimeout(1000, () => sock.destroy(new Error('timeout')));
    sock.on('error', (err) => reject(new Error(`failed to connect to ${target.host}:${target.port}: ${err.message}`)));
    sock.on('data', () => undefined);
    sock.on('connect', () => sock.end(lines.map((l) => l + '\n').join(''), () => resolve()));
  });
}
