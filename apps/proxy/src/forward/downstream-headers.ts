// Response headers sent to the client, as kong-data-plane.md §2.2: hop-by-hop headers stripped, Via appended,
// the upstream Server kept (ours only when it sent none), latency and request-id headers per `headers`.
import type { HeaderFlags } from './header-flags';
import { SERVER_TOKEN, VIA_1_1 } from './identity';

export interface DownstreamFacts {
  readonly flags: HeaderFlags;
  readonly requestId: string;
  readonly proxyLatency: number;
  readonly upstreamLatency: number;
  readonly clientWantsTrailers: boolean;
  readonly closeConnection: boolean;
  readonly h2: boolean;
}

/** The lengths of the names the switch in buildDownstreamHeaders looks at. */
const SPECIAL_LENGTH = new Uint8Array(32);
for (const name of ['connection', 'keep-alive', 'transfer-encoding', 'proxy-connection', 'upgrade', 'trailer', 'via', 'server', 'x-kong-request-id']) {
  SPECIAL_LENGTH[name.length] = 1;
}

// hot path: one pass, one output array.
export function buildDownstreamHeaders(raw: readonly string[], status: number, f: DownstreamFacts): string[] {
  const out: string[] = [];
  let via: string | undefined;
  let hasServer = false;
  let connection: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i];
    // hot path: only names as long as one of the cases below are lower-cased (Date, Content-Type... are not)
    const lower = SPECIAL_LENGTH[name.length] === 1 ? name.toLowerCase() : '';
    switch (lower) {
      case 'connection':
        connection = connection === undefined ? raw[i + 1] : `${connection}, ${raw[i + 1]}`;
        continue;
      case 'keep-alive':
      case 'transfer-encoding':
      case 'proxy-connection':
      case 'upgrade':
        continue;
      case 'trailer':
        if (!f.clientWantsTrailers || f.h2) continue;
        break;
      case 'via':
        via = via === undefined ? raw[i + 1] : `${via}, ${raw[i + 1]}`;
        if (f.flags.via) continue;
        break;
      case 'server':
        hasServer = true;
        break;
      case 'x-kong-request-id':
        if (f.flags.requestId) continue;
        break;
    }
    out.push(name, raw[i + 1]);
  }
  if (connection !== undefined) dropNamed(out, connection);
  const flags = f.flags;
  if (flags.via) out.push('Via', via === undefined ? VIA_1_1 : `${via}, ${VIA_1_1}`);
  if (flags.server && !hasServer) out.push('Server', SERVER_TOKEN);
  if (flags.upstreamLatency) out.push('X-Kong-Upstream-Latency', String(f.upstreamLatency));
  if (flags.proxyLatency) out.push('X-Kong-Proxy-Latency', String(f.proxyLatency));
  if (flags.upstreamStatus) out.push('X-Kong-Upstream-Status', String(status));
  if (flags.requestId) out.push('X-Kong-Request-Id', f.requestId);
  if (f.closeConnection && !f.h2) out.push('Connection', 'close');
  return out;
}

function dropNamed(out: string[], connection: string): void {
  // The usual values name no header: skip the parse.
  if (connection.length <= 10 && /^(keep-alive|close)$/i.test(connection)) return;
  const tokens = new Set<string>();
  for (const token of connection.split(',')) {
    const t = token.trim().toLowerCase();
    if (t && t !== 'keep-alive' && t !== 'close') tokens.add(t);
  }
  if (tokens.size === 0) return;
  let w = 0;
  for (let r = 0; r < out.length; r += 2) {
    if (tokens.has(out[r].toLowerCase())) continue;
    out[w] = out[r];
    out[w + 1] = out[r + 1];
    w += 2;
  }
  out.length = w;
}

/** HTTP/2 responses take an object and refuse connection-specific headers. */
export function toH2Headers(list: readonly string[]): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (let i = 0; i < list.length; i += 2) {
    const name = list[i].toLowerCase();
    if (name === 'connection') continue;
    const prev = out[name];
    out[name] = prev === undefined ? list[i + 1] : Array.isArray(prev) ? [...prev, list[i + 1]] : [prev, list[i + 1]];
  }
  return out;
}
