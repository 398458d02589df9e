// Stream (L4) routing: sources/destinations (ip, CIDR, port), snis, protocols and the compat stream priority.
import type { StreamConnectionInput } from '../types';
import { HIGH_ID, LOW_ID, type RouteSpec } from './route-factory';

export interface StreamCase {
  readonly name: string;
  readonly routes: readonly RouteSpec[];
  readonly conn: Partial<StreamConnectionInput>;
  readonly expect: string | null;
}

const tcp = ['tcp'];

export const streamCases: StreamCase[] = [
  { name: 'source exact ip', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.1.2.3' }] }], conn: { sourceIp: '10.1.2.3' }, expect: 'r' },
  { name: 'source exact ip mismatch', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.1.2.3' }] }], conn: { sourceIp: '10.1.2.4' }, expect: null },
  { name: 'source CIDR', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.0.0.0/8' }] }], conn: { sourceIp: '10.200.1.1' }, expect: 'r' },
  { name: 'source CIDR mismatch', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.0.0.0/8' }] }], conn: { sourceIp: '11.0.0.1' }, expect: null },
  { name: 'source /0 matches every IPv4', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '0.0.0.0/0' }] }], conn: { sourceIp: '203.0.113.9' }, expect: 'r' },
  { name: 'source odd CIDR boundary', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '192.168.1.128/25' }] }], conn: { sourceIp: '192.168.1.127' }, expect: null },
  { name: 'source port', routes: [{ name: 'r', protocols: tcp, sources: [{ port: 5000 }] }], conn: { sourcePort: 5000 }, expect: 'r' },
  { name: 'source ip and port must both match', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.1.2.3', port: 5000 }] }], conn: { sourceIp: '10.1.2.3', sourcePort: 5001 }, expect: null },
  { name: 'source entries OR together', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.1.2.3', port: 5000 }, { ip: '10.9.9.9' }] }], conn: { sourceIp: '10.9.9.9', sourcePort: 1 }, expect: 'r' },
  { name: 'IPv4-mapped IPv6 peer matches an IPv4 source', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '127.0.0.0/8' }] }], conn: { sourceIp: '::ffff:127.0.0.1' }, expect: 'r' },
  { name: 'IPv6 CIDR', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '2001:db8::/32' }] }], conn: { sourceIp: '2001:db8:1::5' }, expect: 'r' },
  { name: 'IPv6 CIDR mismatch', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '2001:db8::/32' }] }], conn: { sourceIp: '2001:db9::5' }, expect: null },
  { name: 'IPv6 exact, differently written', routes: [{ name: 'r', protocols: tcp, destinations: [{ ip: '::1' }] }], conn: { destinationIp: '0:0:0:0:0:0:0:1' }, expect: 'r' },
  { name: 'IPv4 block never matches an IPv6 peer', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '0.0.0.0/0' }] }], conn: { sourceIp: '2001:db8::1' }, expect: null },
  { name: 'destination port', routes: [{ name: 'r', protocols: tcp, destinations: [{ port: 4242 }] }], conn: { destinationPort: 4242 }, expect: 'r' },
  { name: 'destination port mismatch', routes: [{ name: 'r', protocols: tcp, destinations: [{ port: 4242 }] }], conn: { destinationPort: 4243 }, expect: null },
  { name: 'destination ip and port', routes: [{ name: 'r', protocols: tcp, destinations: [{ ip: '10.0.0.1', port: 80 }] }], conn: { destinationIp: '10.0.0.1', destinationPort: 80 }, expect: 'r' },
  { name: 'sources and destinations AND together', routes: [{ name: 'r', protocols: tcp, sources: [{ ip: '10.0.0.0/8' }], destinations: [{ port: 80 }] }], conn: { sourceIp: '10.1.1.1', destinationPort: 81 }, expect: null },
  { name: 'sni on a tls connection', routes: [{ name: 'r', protocols: ['tls'], snis: ['db.test'] }], conn: { protocol: 'tls', sni: 'db.test' }, expect: 'r' },
  { name: 'sni mismatch on tls', routes: [{ name: 'r', protocols: ['tls'], snis: ['db.test'] }], conn: { protocol: 'tls', sni: 'other.test' }, expect: null },
  { name: 'tls connection without sni does not match an sni route', routes: [{ name: 'r', protocols: ['tls'], snis: ['db.test'] }], conn: { protocol: 'tls' }, expect: null },
  { name: 'sni wildcard', routes: [{ name: 'r', protocols: ['tls_passthrough'], snis: ['*.db.test'] }], conn: { protocol: 'tls', sni: 'eu.db.test' }, expect: 'r' },
  { name: 'snis are not checked on plain tcp', routes: [{ name: 'r', protocols: ['tcp', 'tls'], snis: ['db.test'] }], conn: { protocol: 'tcp' }, expect: 'r' },
  { name: 'tcp connection does not select a tls-only route', routes: [{ name: 'r', protocols: ['tls'], destinations: [{ port: 5555 }] }], conn: { protocol: 'tcp', destinationPort: 5555 }, expect: null },
  { name: 'tls connection selects a tls_passthrough route', routes: [{ name: 'r', protocols: ['tls_passthrough'], snis: ['p.test'] }], conn: { protocol: 'tls', sni: 'p.test' }, expect: 'r' },
  { name: 'passthrough lookup ignores tls (terminating) routes', routes: [{ name: 'r', protocols: ['tls'], snis: ['p.test'] }], conn: { protocol: 'tls_passthrough', sni: 'p.test' }, expect: null },
  { name: 'http routes are not in the stream router', routes: [{ name: 'r', paths: ['/'] }], conn: {}, expect: null },
  {
    name: 'priority: snis (bit 61) beat sources with an exact IP',
    routes: [{ name: 'src', id: HIGH_ID, protocols: ['tls'], sources: [{ ip: '10.0.0.1', port: 1 }] }, { name: 'sni', id: LOW_ID, protocols: ['tls'], snis: ['a.test'] }],
    conn: { protocol: 'tls', sni: 'a.test', sourceIp: '10.0.0.1', sourcePort: 1 },
    expect: 'sni',
  },
  {
    name: 'priority: sources+destinations (bit 61) beat sources alone',
    routes: [{ name: 'src', id: HIGH_ID, protocols: tcp, sources: [{ ip: '10.0.0.1', port: 1 }] }, { name: 'src+dst', id: LOW_ID, protocols: tcp, sources: [{ ip: '10.0.0.0/8' }], destinations: [{ ip: '10.9.0.0/16' }] }],
    conn: { sourceIp: '10.0.0.1', sourcePort: 1, destinationIp: '10.9.0.1' },
    expect: 'src+dst',
  },
  {
    name: 'priority: source bits beat destination bits',
    routes: [{ name: 'dst-ip', id: HIGH_ID, protocols: tcp, destinations: [{ ip: '10.9.0.1', port: 80 }] }, { name: 'src-cidr', id: LOW_ID, protocols: tcp, sources: [{ ip: '10.0.0.0/8' }] }],
    conn: { sourceIp: '10.0.0.1', destinationIp: '10.9.0.1', destinationPort: 80 },
    expect: 'src-cidr',
  },
  {
    name: 'priority: exact IP beats port',
    routes: [{ name: 'port', id: HIGH_ID, protocols: tcp, destinations: [{ port: 80 }] }, { name: 'ip', id: LOW_ID, protocols: tcp, destinations: [{ ip: '10.9.0.1' }] }],
    conn: { destinationIp: '10.9.0.1', destinationPort: 80 },
    expect: 'ip',
  },
  {
    name: 'priority: port beats CIDR',
    routes: [{ name: 'cidr', id: HIGH_ID, protocols: tcp, destinations: [{ ip: '10.0.0.0/8' }] }, { name: 'port', id: LOW_ID, protocols: tcp, destinations: [{ port: 80 }] }],
    conn: { destinationIp: '10.9.0.1', destinationPort: 80 },
    expect: 'port',
  },
  {
    name: 'priority: ip+port beats ip',
    routes: [{ name: 'ip', id: HIGH_ID, protocols: tcp, destinations: [{ ip: '10.9.0.1' }] }, { name: 'ip+port', id: LOW_ID, protocols: tcp, destinations: [{ ip: '10.9.0.1', port: 80 }] }],
    conn: { destinationIp: '10.9.0.1', destinationPort: 80 },
    expect: 'ip+port',
  },
  {
    name: 'priority: equal bits, the larger id wins',
    routes: [{ name: 'low', id: LOW_ID, protocols: tcp, destinations: [{ port: 80 }] }, { name: 'high', id: HIGH_ID, protocols: tcp, destinations: [{ port: 80 }] }],
    conn: { destinationPort: 80 },
    expect: 'high',
  },
  {
    name: 'an unparsable ip never widens the route to match anything',
    routes: [{ name: 'bad', protocols: tcp, sources: [{ ip: 'not-an-ip' }] }],
    conn: { sourceIp: '10.0.0.1' },
    expect: null,
  },
];
