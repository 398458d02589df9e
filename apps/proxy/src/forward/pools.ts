// Upstream keep-alive pools. One agent per scheme: node keys its free lists by host:port (and, for TLS, by
// servername/CA/client certificate), which is Kong's pool key (§2.5). upstream_keepalive_* apply per pool.
import { Agent as HttpAgent, type AgentOptions } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { Socket } from 'node:net';

export interface PoolSettings {
  readonly poolSize: number;
  readonly maxRequests: number;
  /** seconds */
  readonly idleTimeout: number;
}

const kUses = Symbol('tollgate.socketUses');

function agentOptions(s: PoolSettings): AgentOptions {
  return {
    keepAlive: true,
    keepAliveMsecs: 1000,
    maxFreeSockets: s.poolSize > 0 ? s.poolSize : 1,
    timeout: s.idleTimeout > 0 ? s.idleTimeout * 1000 : undefined,
    scheduling: 'lifo',
  };
}

/** Retires a connection after upstream_keepalive_max_requests uses. */
function keepWhileUnderLimit(maxRequests: number, socket: Socket & { [kUses]?: number }): boolean {
  const uses = (socket[kUses] ?? 0) + 1;
  socket[kUses] = uses;
  return maxRequests <= 0 || uses < maxRequests;
}

class LimitedHttpAgent extends HttpAgent {
  constructor(private readonly maxRequests: number, opts: AgentOptions) {
    super(opts);
  }
  keepSocketAlive(socket: Socket): boolean {
    return keepWhileUnderLimit(this.maxRequests, socket) && (super.keepSocketAlive(socket) as unknown as boolean) !== false;
  }
}

class LimitedHttpsAgent extends HttpsAgent {
  constructor(private readonly maxRequests: number, opts: AgentOptions) {
    super(opts);
  }
  keepSocketAlive(socket: Socket): boolean {
    return keepWhileUnderLimit(this.maxRequests, socket) && (super.keepSocketAlive(socket) as unknown as boolean) !== false;
  }
}

export class UpstreamPools {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;

  constructor(settings: PoolSettings) {
    this.http = new LimitedHttpAgent(settings.maxRequests, agentOptions(settings));
    this.https = new LimitedHttpsAgent(settings.maxRequests, agentOptions(settings));
  }

  destroy(): void {
    this.http.destroy();
    this.https.destroy();
  }
}
