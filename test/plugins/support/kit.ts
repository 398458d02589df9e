// Shared set-up of the plugin end-to-end suites: an echo upstream, a snapshot builder, and the harness gateway.
import { startEchoUpstream, startHarness, SnapshotBuilder, type EchoUpstream, type Harness } from '@tollgate/plugins/testing';
import { loadPlugins, type PluginRegistry } from '@tollgate/plugins';
import { http, type Reply } from '../../support/http';

export interface Kit {
  upstream: EchoUpstream;
  gateway: Harness | null;
  builder: SnapshotBuilder;
  start(): Promise<Harness>;
  get(path: string, headers?: Record<string, string>): Promise<Reply>;
  send(method: string, path: string, opts?: { body?: unknown; headers?: Record<string, string> }): Promise<Reply>;
  close(): Promise<void>;
}

export async function createKit(registry: PluginRegistry = loadPlugins(['bundled'])): Promise<Kit> {
  const upstream = await startEchoUpstream();
  const kit: Kit = {
    upstream,
    gateway: null,
    builder: new SnapshotBuilder(registry),
    async start() {
      if (kit.gateway) {
        kit.gateway.reload(kit.builder.build());
        return kit.gateway;
      }
      kit.gateway = await startHarness(kit.builder.build(), { registry, clientIpHeader: 'x-test-client-ip' });
      return kit.gateway;
    },
    get: (path, headers) => http('GET', kit.gateway!.url + path, { headers }),
    send: (method, path, opts = {}) => http(method, kit.gateway!.url + path, opts),
    async close() {
      await kit.gateway?.close();
      await upstream.close();
    },
  };
  return kit;
}

/** Polls `fn` until it returns a value that is not undefined, or fails after `ms`. */
export async function eventually<T>(fn: () => T | undefined | Promise<T | undefined>, ms = 5000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error('condition not met before the deadline');
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Waits (polling) until the current fixed window has at least `marginMs` left, so a test's requests all
 *  land in one rate-limiting window. */
export async function awayFromWindowEdge(windowMs = 60_000, marginMs = 3_000): Promise<void> {
  await eventually(() => (Date.now() % windowMs < windowMs - marginMs ? true : undefined), marginMs + 1000);
}
